import {
  defineCommand,
  definePlugin,
  EFFECT_CLASSES,
  HOST_EFFECTS,
  isWithin,
  QmpError,
  realHostPath,
  t,
  type EffectClass,
  type HostRequest,
  type KernelContext,
  type Static,
} from '../../kernel/index.js';

/** Where the policy lives in the object tree, so it is hashed, logged and replayed like any configuration. */
export const SANDBOX_PATH = '/sandbox';

const Rule = t.enum('SandboxRule', ['allow', 'deny']);
const Effect = t.enum('EffectClass', EFFECT_CLASSES, 'A class of effect');

const SandboxArgs = t.object({
  enable: t.field(t.bool(), 'Turn the sandbox on (-sandbox on); it cannot be turned off again'),
  spawn: t.optional(Rule, 'deny: plugins may not start host processes'),
  sockets: t.optional(Rule, 'deny: no new listening or connecting sockets (monitors, socket chardevs)'),
  'allow-paths': t.optional(t.array(t.str()), 'Host files and Unix sockets only below these folders, symlinks resolved on both sides'),
  'deny-commands': t.optional(t.array(t.str()), 'Commands that may no longer run, by name'),
  'deny-effects': t.optional(
    t.array(Effect),
    'Classes of effect no longer allowed: every command declaring one (configuration, run-control, guest-io) and every host resource of one (host-files, network, processes), whichever command asks',
  ),
  obsolete: t.optional(Rule, 'QEMU seccomp compatibility: recorded, no effect here'),
  elevateprivileges: t.optional(t.enum('SandboxPrivileges', ['allow', 'deny', 'children']), 'QEMU seccomp compatibility: recorded, no effect here'),
  resourcecontrol: t.optional(Rule, 'QEMU seccomp compatibility: recorded, no effect here'),
});

type Policy = Static<typeof SandboxArgs>;

const NONE: Policy = { enable: false };

/** Merges a tightening into the current policy; anything that would loosen it is an error naming the rule. */
function tighten(current: Policy, next: Policy): Policy {
  if (current.enable && !next.enable) throw new QmpError('GenericError', 'The sandbox cannot be turned off once it is on');
  for (const rule of ['spawn', 'sockets', 'obsolete', 'resourcecontrol'] as const)
    if (current[rule] === 'deny' && next[rule] === 'allow') throw new QmpError('GenericError', `The sandbox rule '${rule}' can only be tightened: it is already 'deny'`);
  if (current.elevateprivileges && current.elevateprivileges !== 'allow' && next.elevateprivileges === 'allow')
    throw new QmpError('GenericError', "The sandbox rule 'elevateprivileges' can only be tightened");
  const paths = current['allow-paths'] && next['allow-paths']
    ? next['allow-paths'].filter((p) => current['allow-paths']!.some((c) => isWithin(realHostPath(p), realHostPath(c))))
    : (next['allow-paths'] ?? current['allow-paths']);
  const union = <T>(a: readonly T[] | undefined, b: readonly T[] | undefined): T[] => [...new Set([...(a ?? []), ...(b ?? [])])];
  const denied = union(current['deny-commands'], next['deny-commands']);
  const effects = union(current['deny-effects'], next['deny-effects']);
  return {
    ...current,
    ...Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)),
    enable: true,
    ...(paths ? { 'allow-paths': paths } : {}),
    ...(denied.length ? { 'deny-commands': denied } : {}),
    ...(effects.length ? { 'deny-effects': effects } : {}),
  };
}

/**
 * Why a host request breaks the policy, or undefined. Paths are compared
 * resolved (the broker resolves the request's, this resolves the allowed
 * folders), so a symlink inside an allowed folder that leads outside it is
 * refused, and a Unix socket is a path like any file.
 */
function refuse(policy: Policy, req: HostRequest): string | undefined {
  if (!policy.enable) return undefined;
  const effect = HOST_EFFECTS[req.kind];
  if (policy['deny-effects']?.includes(effect)) return `the sandbox denies ${effect}`;
  if (req.kind === 'process' && policy.spawn === 'deny') return 'the sandbox denies spawning processes';
  if (req.kind === 'socket' && policy.sockets === 'deny') return 'the sandbox denies sockets';
  const allowed = policy['allow-paths'];
  const path = req.path ?? (req.kind === 'file' ? realHostPath(req.target) : undefined);
  if (allowed && path !== undefined && !allowed.some((dir) => isWithin(path, realHostPath(dir))))
    return `the sandbox allows ${req.kind === 'socket' ? 'sockets' : 'files'} only below ${allowed.join(', ')}`;
  return undefined;
}

/** Why a command breaks the policy: denied by name, or one of its effects is denied. */
function refuseCommand(policy: Policy, name: string, effects: readonly EffectClass[]): string | undefined {
  if (!policy.enable) return undefined;
  if (policy['deny-commands']?.includes(name)) return 'the sandbox denies it';
  const denied = effects.find((e) => policy['deny-effects']?.includes(e));
  return denied ? `the sandbox denies ${denied}` : undefined;
}

/**
 * The sandbox: from the point the configuration chooses (`sandbox-set`,
 * `-sandbox on,...`), restricts which commands may run and which host
 * resources plugins may open. Restrictions only tighten; each tightening is
 * itself a logged command, and the policy is part of the configuration.
 */
export const sandboxPlugin = definePlugin({
  name: 'sandbox',
  version: '0.1.0',
  setup(host) {
    let policy: Policy = NONE;
    host.type({ name: 'sandbox-policy', parent: 'object', doc: 'The sandbox policy in force', props: { policy: { type: t.any(), settable: 'never', doc: 'The merged rules' } } });
    host.hostPolicy((req) => refuse(policy, req));
    host.commandFilter((cmd) => refuseCommand(policy, cmd.name, cmd.effects ?? []));
    host.command(
      defineCommand({
        name: 'sandbox-set',
        args: SandboxArgs,
        returns: t.empty(),
        phases: 'any',
        kind: 'change',
        effects: ['configuration'],
        doc: 'Turn on or tighten the sandbox; it applies to every later command and host resource',
        example:
          '-> { "execute": "sandbox-set", "arguments": { "enable": true, "spawn": "deny", "allow-paths": ["/srv/vm"] } }\n<- { "return": {} }\n' +
          '-> { "execute": "sandbox-set", "arguments": { "enable": true, "deny-effects": ["configuration", "network"] } }\n<- { "return": {} }',
        async handler(args, ctx: KernelContext) {
          const before = policy;
          const next = tighten(policy, args);
          if (!ctx.objects.has(SANDBOX_PATH)) await ctx.objects.add(SANDBOX_PATH, 'sandbox-policy', {}, ctx);
          ctx.objects.setInternal(SANDBOX_PATH, 'policy', next);
          policy = next;
          ctx.onRollback(() => {
            policy = before;
          });
          return {};
        },
      }),
    );
  },
});

export default sandboxPlugin;
