/**
 * RAM load/store and MMIO dispatch cost per access through the PhysicalBus,
 * against a plain typed-array loop in the same run (`npx tsx bench/hw-memory.ts`).
 */
import { AddressSpace } from '../plugins/hw/address-space.js';

const N = 20_000_000;
const RAM = 0x80000000;
const as = new AddressSpace(RAM, 16 << 20);
let counter = 0;
for (let i = 0; i < 16; i++)
  as.map({ name: `dev${i}`, base: 0x10000000 + i * 0x1000, size: 0x100, kind: 'mmio', handlers: { read: (o) => o + counter, write: (_o, _s, v) => void (counter += v) } });
const out = new Uint32Array(2);

function time(name: string, fn: () => number): number {
  fn(); // warm up
  const t0 = process.hrtime.bigint();
  const sink = fn();
  const ns = Number(process.hrtime.bigint() - t0) / N;
  console.log(`${name.padEnd(34)} ${ns.toFixed(2).padStart(6)} ns/access  (sink ${sink & 0xff})`);
  return ns;
}

const view = new DataView(as.ram.buffer);
const base = time('baseline DataView u32 load', () => {
  let s = 0;
  for (let i = 0; i < N; i++) s = (s + view.getUint32((i * 4) & 0xffffc, true)) | 0;
  return s;
});
const load = time('bus.read RAM u32', () => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    as.read(RAM + ((i * 4) & 0xffffc), 4, out);
    s = (s + out[0]!) | 0;
  }
  return s;
});
time('bus.write RAM u32', () => {
  for (let i = 0; i < N; i++) as.write(RAM + ((i * 4) & 0xffffc), 4, i, 0);
  return 0;
});
time('bus.read RAM u64', () => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    as.read(RAM + ((i * 8) & 0xffff8), 8, out);
    s = (s + out[1]!) | 0;
  }
  return s;
});
const mmioSame = time('bus.read MMIO (same device)', () => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    as.read(0x10000000 + (i & 0xfc), 4, out);
    s = (s + out[0]!) | 0;
  }
  return s;
});
const mmioSpread = time('bus.read MMIO (16 devices, rotating)', () => {
  let s = 0;
  for (let i = 0; i < N; i++) {
    as.read(0x10000000 + ((i & 15) << 12), 4, out);
    s = (s + out[0]!) | 0;
  }
  return s;
});
console.log(`\nRAM load via bus: ${(load / base).toFixed(1)}x the typed-array baseline; MMIO dispatch ${mmioSame.toFixed(1)}-${mmioSpread.toFixed(1)} ns`);
