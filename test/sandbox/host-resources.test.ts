/**
 * Every host resource goes through the broker: this finds every command
 * argument and every object property the schema marks as a host resource
 * (from the registries, not from a list kept here), and shows each one is
 * refused outside the sandbox's allowed folder, named directly or through a
 * symlink inside the folder. A new marked field without a probe here fails
 * the first test, so nobody adds a path the sandbox has not been shown to see.
 */
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKernel, hostFields, type Kernel } from '../../kernel/index.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';

const api = { transport: 'api' };

type Step = readonly [command: string, args: Record<string, unknown>];

/** What a probe may use: a host path it must be refused (outside, or a symlink leading outside) and an image inside the folder. */
interface Where {
  readonly target: string;
  readonly inside: string;
}

const unixAddr = (path: string, server: boolean) => ({ addr: { type: 'unix', data: { path } }, server, wait: false });
const machine = (props: Record<string, unknown>): Step[] => [
  ['machine-set', { type: 'virt', ...props }],
  ['until-phase', { phase: 'machine-ready' }],
];

/** For each marked site, the commands that reach it; the last one must be refused by the sandbox. */
const PROBES: Record<string, (w: Where) => Step[]> = {
  'command monitor-add endpoint': ({ target }) => [['monitor-add', { protocol: 'qmp', endpoint: `unix:${target}` }]],
  'command chardev-add backend.data.out': ({ target }) => [['chardev-add', { id: 'c', backend: { type: 'file', data: { out: target } } }]],
  'command chardev-add backend.data.in': ({ target, inside }) => [['chardev-add', { id: 'c', backend: { type: 'file', data: { out: `${inside}.log`, in: target } } }]],
  'command chardev-add backend.data.addr.data.path': ({ target }) => [['chardev-add', { id: 'c', backend: { type: 'socket', data: unixAddr(target, true) } }]],
  'command blockdev-add filename': ({ target }) => [['blockdev-add', { driver: 'file', 'node-name': 'd', filename: target }]],
  'command blockdev-add file.filename': ({ target }) => [['blockdev-add', { driver: 'raw', 'node-name': 'd', file: { driver: 'file', filename: target } }]],
  'type chardev-file.path': ({ target }) => [['chardev-add', { id: 'c', backend: { type: 'file', data: { out: target, append: true } } }]],
  'type chardev-file.input': ({ target, inside }) => [['chardev-add', { id: 'c', backend: { type: 'file', data: { out: `${inside}.log`, in: target } } }]],
  'type chardev-socket.path': ({ target }) => [['chardev-add', { id: 'c', backend: { type: 'socket', data: unixAddr(target, false) } }]],
  'type blockdev-file.filename': ({ target }) => [['blockdev-add', { driver: 'file', 'node-name': 'd', filename: target, 'read-only': true }]],
  'type rng-random.filename': ({ target }) => [['object-add', { 'qom-type': 'rng-random', id: 'rng', filename: target }]],
  'type tls-creds.dir': ({ target }) => [['object-add', { 'qom-type': 'tls-creds-x509', id: 'tls', dir: target, endpoint: 'server' }]],
  'type virt.firmware': ({ target }) => machine({ firmware: target }),
  'type virt.kernel': ({ target }) => machine({ kernel: target }),
  'type virt.initrd': ({ target, inside }) => machine({ kernel: inside, initrd: target }),
  'type virt.dumpdtb': ({ target, inside }) => machine({ firmware: inside, dumpdtb: target }),
  'type virt.dtb': ({ target, inside }) => machine({ firmware: inside, dtb: target }),
  'type virt.snapshot-dir': ({ target, inside }) => [...machine({ firmware: inside, 'snapshot-dir': target }), ['savevm', { tag: 'x' }]],
};

/** Every marked site the registries hold: command arguments, and properties where the type that declares them defines them. */
function markedSites(k: Kernel): string[] {
  const commands = k.registry.list().flatMap((c) => hostFields(c.args).map((f) => `command ${c.name} ${f.path}`));
  const props = k.types.list({}).flatMap((d) =>
    [...k.types.props(d.name).values()].filter((p) => p.definedBy === d.name && hostFields(p.type).length > 0).map((p) => `type ${d.name}.${p.name}`),
  );
  return [...commands, ...props].sort();
}

describe('the sandbox sees every host resource a command can name', () => {
  let probeKernel: Kernel;
  beforeAll(async () => {
    probeKernel = await createKernel({ plugins: DEFAULT_PLUGINS });
  });

  it('has a probe for every marked command argument and object property, and no probe for anything unmarked', () => {
    expect(Object.keys(PROBES).sort()).toEqual(markedSites(probeKernel));
  });

  describe.each(Object.keys(PROBES).sort())('%s', (site) => {
    /** A sandbox with an allowed folder, a file outside it, and in the folder a valid image and a symlink to the outside file. */
    async function setup() {
      const root = mkdtempSync(join(tmpdir(), 'host-resources-'));
      const allowed = join(root, 'allowed');
      const outside = join(root, 'outside');
      mkdirSync(allowed);
      mkdirSync(outside);
      const secret = join(outside, 'secret');
      writeFileSync(secret, 'outside the sandbox');
      const inside = join(allowed, 'image.bin');
      // A raw image the board accepts as firmware or kernel: a jump to itself.
      writeFileSync(inside, Buffer.from([0x6f, 0x00, 0x00, 0x00]));
      symlinkSync(secret, join(allowed, 'link'));
      const k = await createKernel({ plugins: DEFAULT_PLUGINS });
      await k.execute('sandbox-set', { enable: true, 'allow-paths': [allowed] }, api);
      return { k, allowed, secret, inside, link: join(allowed, 'link') };
    }

    async function refused(k: Kernel, steps: Step[]): Promise<string> {
      for (const [command, args] of steps.slice(0, -1)) await k.execute(command, args, api);
      const [command, args] = steps[steps.length - 1]!;
      const error = await k.execute(command, args, api).then(
        () => undefined,
        (e: { desc: string }) => e.desc,
      );
      await k.close();
      return error ?? `${command} was not refused`;
    }

    it('is refused outside the allowed folder', async () => {
      const { k, allowed, secret, inside } = await setup();
      expect(await refused(k, PROBES[site]!({ target: secret, inside }))).toMatch(new RegExp(`denied: the sandbox allows (files|sockets) only below ${allowed}$`));
      expect(readFileSync(secret, 'utf8')).toBe('outside the sandbox');
    });

    it('is refused through a symlink inside the folder that leads outside', async () => {
      const { k, allowed, secret, inside, link } = await setup();
      expect(await refused(k, PROBES[site]!({ target: link, inside }))).toMatch(new RegExp(`denied: the sandbox allows (files|sockets) only below ${allowed}$`));
      expect(readFileSync(secret, 'utf8')).toBe('outside the sandbox');
    });
  });
});
