// State hash cost per change command at 10 and at 10,000 objects: the
// incremental (AdHash) design keeps it flat. Baseline in the same run: a full
// rehash of the whole tree, which is what a naive design would pay.
// Run: npx tsx bench/kernel-state-hash.ts
import { createHash } from 'node:crypto';
import { canonicalJson, createKernel, definePlugin, t } from '../kernel/index.js';

const plugin = definePlugin({
  name: 'bench',
  version: '1',
  setup(h) {
    h.type({ name: 'bench-object', parent: 'object', interfaces: ['user-creatable'], props: { value: { type: t.int(), default: 0, settable: 'always' } } });
  },
});
const origin = { transport: 'bench' };

async function measure(objects: number): Promise<{ perCommandUs: number; fullRehashUs: number }> {
  const k = await createKernel({ plugins: [plugin] });
  await Promise.all(Array.from({ length: objects }, (_, i) => k.execute('object-add', { 'qom-type': 'bench-object', id: `o${i}` }, origin)));
  const rounds = 20_000;
  const started = process.hrtime.bigint();
  const batch: Promise<unknown>[] = [];
  for (let i = 0; i < rounds; i++) batch.push(k.execute('qom-set', { path: `/objects/o${i % objects}`, property: 'value', value: i }, origin));
  await Promise.all(batch);
  const perCommandUs = Number(process.hrtime.bigint() - started) / 1000 / rounds;

  const fullStart = process.hrtime.bigint();
  const reps = 5;
  for (let r = 0; r < reps; r++) {
    const h = createHash('sha256');
    for (const o of k.objects.walk()) h.update(o.path).update(canonicalJson(o.values()));
    h.digest('hex');
  }
  const fullRehashUs = Number(process.hrtime.bigint() - fullStart) / 1000 / reps;
  return { perCommandUs, fullRehashUs };
}

await measure(10);
const small = await measure(10);
const large = await measure(10_000);
console.log('state hash cost per qom-set (in-process, no log)');
console.log(`  10 objects:      ${small.perCommandUs.toFixed(2)} us/command`);
console.log(`  10,000 objects:  ${large.perCommandUs.toFixed(2)} us/command`);
console.log(`  ratio 10,000/10: ${(large.perCommandUs / small.perCommandUs).toFixed(2)} (target: close to 1)`);
console.log(`baseline, full rehash of the tree per command: ${small.fullRehashUs.toFixed(1)} us at 10, ${large.fullRehashUs.toFixed(1)} us at 10,000 (ratio ${(large.fullRehashUs / small.fullRehashUs).toFixed(0)})`);
