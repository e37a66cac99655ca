import { defineCommand, phasesFrom, t } from '../../../kernel/index.js';
import { boardOf } from './board.js';

const CpuInfoFast = t.object(
  {
    'cpu-index': t.field(t.int(), 'Index of the CPU (the hart id)'),
    'qom-path': t.field(t.str(), "QEMU's QOM path of the hart (/machine/soc0/harts[N]), for management software that keys on it"),
    'thread-id': t.field(t.int(), 'Host thread that runs the hart: every hart runs on the main thread, whose id is the process id'),
    target: t.field(t.enum('SysEmuTarget', ['riscv64']), 'Target architecture'),
    props: t.field(t.object({ 'core-id': t.int() }, { name: 'CpuInstanceProperties' }), 'Topology of the hart, as QEMU reports it'),
    pc: t.field(t.uint64(), 'Program counter (vmledger)'),
    halted: t.field(t.bool(), 'Whether the hart waits in wfi (vmledger)'),
  },
  { name: 'CpuInfoFast' },
);

/**
 * `query-cpus-fast`: the board's harts in QEMU's shape, plus `pc` and
 * `halted`. The harts exist once the board is built (machine-initialized).
 */
export const queryCpusFast = defineCommand({
  name: 'query-cpus-fast',
  args: t.empty(),
  returns: t.array(CpuInfoFast),
  phases: phasesFrom('machine-initialized'),
  kind: 'query',
  doc: 'List the virtual CPUs (harts) without interrupting them',
  example:
    '-> { "execute": "query-cpus-fast" }\n<- { "return": [ { "cpu-index": 0, "qom-path": "/machine/soc0/harts[0]", "thread-id": 25627, "target": "riscv64", "props": { "core-id": 0 }, "pc": 4096, "halted": false } ] }',
  handler(_args, ctx) {
    return boardOf(ctx.objects.get('/machine')).harts.map((h) => ({
      'cpu-index': h.hartId,
      'qom-path': `/machine/soc0/harts[${h.hartId}]`,
      'thread-id': process.pid,
      target: 'riscv64' as const,
      props: { 'core-id': h.hartId },
      pc: h.pc(),
      halted: h.halted(),
    }));
  },
});
