/**
 * What the emulated target is, as management software asks QEMU before it
 * builds a command line: the CPU models, the architecture, the accelerator.
 */
import { defineCommand, t } from '../../kernel/index.js';
import { CPU_MODELS, type CpuModel } from './cpu.js';

const CpuDefinitionInfo = t.object(
  {
    name: t.field(t.str(), 'The name -cpu takes'),
    typename: t.field(t.str(), "QEMU's QOM type name of the model (NAME-riscv-cpu), for management software that keys on it"),
    static: t.field(t.bool(), 'Whether the model is the same in every version (false, as for every RISC-V model of QEMU)'),
    deprecated: t.field(t.bool(), 'Whether the model is going away'),
  },
  { name: 'CpuDefinitionInfo' },
);

/**
 * `query-cpu-definitions`: the CPU models the loaded CPU plugins provide,
 * in QEMU's shape (libvirt asks for it before it chooses a -cpu); also what
 * `-cpu help` lists.
 */
export const queryCpuDefinitions = defineCommand({
  name: 'query-cpu-definitions',
  args: t.empty(),
  returns: t.array(CpuDefinitionInfo),
  phases: 'any',
  kind: 'query',
  doc: 'List the CPU models -cpu takes',
  example: '-> { "execute": "query-cpu-definitions" }\n<- { "return": [ { "name": "rv64", "typename": "rv64-riscv-cpu", "static": false, "deprecated": false } ] }',
  handler: (_args, ctx) =>
    [...ctx.service<Map<string, CpuModel>>(CPU_MODELS).keys()].sort().map((name) => ({ name, typename: `${name}-riscv-cpu`, static: false, deprecated: false })),
});

/** `query-target`: the architecture the binary emulates (QEMU answers per binary; vmledger's CPU plugins are RISC-V). */
export const queryTarget = defineCommand({
  name: 'query-target',
  args: t.empty(),
  returns: t.object({ arch: t.field(t.enum('SysEmuTarget', ['riscv64']), 'Target architecture') }, { name: 'TargetInfo' }),
  phases: 'any',
  kind: 'query',
  doc: 'The target architecture',
  example: '-> { "execute": "query-target" }\n<- { "return": { "arch": "riscv64" } }',
  handler: () => ({ arch: 'riscv64' as const }),
});

/** `query-kvm`: vmledger emulates the CPU, so KVM is neither present nor enabled; clients that check before they pass -enable-kvm see why. */
export const queryKvm = defineCommand({
  name: 'query-kvm',
  args: t.empty(),
  returns: t.object({ enabled: t.field(t.bool(), 'Whether KVM runs the guest'), present: t.field(t.bool(), 'Whether KVM could be used') }, { name: 'KvmInfo' }),
  phases: 'any',
  kind: 'query',
  doc: 'KVM status: never present, vmledger emulates the CPU',
  example: '-> { "execute": "query-kvm" }\n<- { "return": { "enabled": false, "present": false } }',
  handler: () => ({ enabled: false, present: false }),
});
