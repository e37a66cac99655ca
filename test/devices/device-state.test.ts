/**
 * Every device's declared state is all of its state: a device driven
 * through random register accesses, interrupt inputs, received bytes and
 * time, saved, and loaded into a fresh copy of itself, behaves exactly as
 * the original from then on (same reads, interrupt levels, hart interrupt
 * bits, bytes sent, guest requests, and the same state saved again). A
 * device that kept any guest-visible state outside its declaration (a
 * closure variable, an undeclared timer) diverges and fails here.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ledCounter } from '../../examples/led-counter/index.js';
import { clint } from '../../plugins/devices/clint.js';
import { goldfishRtc } from '../../plugins/devices/goldfish-rtc.js';
import { ns16550a } from '../../plugins/devices/ns16550a.js';
import { plic } from '../../plugins/devices/plic.js';
import { sifiveTest } from '../../plugins/devices/sifive-test.js';
import { virtioMmio, type VirtioMmioModel } from '../../plugins/devices/virtio-mmio/index.js';
import { VIRTIO_MMIO as V } from '../../plugins/devices/virtio-mmio/registers.js';
import { DEVICE_TYPES } from '../../plugins/devices/index.js';
import type { CharBackend, CharFrontend } from '../../plugins/hw/backend-types.js';
import { HW_EXT, type DeviceDecl } from '../../plugins/hw/device.js';
import type { DeviceHandle } from '../../plugins/hw/device-host.js';
import { DeviceHarness } from '../../plugins/hw/harness.js';
import { checkDevice, loadDevice, saveDevice } from '../../plugins/hw/machine-state.js';
import type { ObjectTypeDecl } from '../../kernel/index.js';

const SEED = process.env.STATE_SEED ? Number(process.env.STATE_SEED) : Math.floor(Math.random() * 2 ** 31);
const BASE = 0x10000000;
const RAM = 0x80000000;

/** A chardev stand-in: keeps what the UART sends, hands it what the test "types" (as much as fits, the rest is dropped). */
class Wire implements CharBackend {
  frontend: CharFrontend | undefined;
  readonly sent: number[] = [];
  write(data: Uint8Array): void {
    this.sent.push(...data);
  }
  attach(f: CharFrontend): () => void {
    this.frontend = f;
    return () => (this.frontend = undefined);
  }
  pump(): void {}
  type(bytes: number[]): void {
    const n = Math.min(bytes.length, this.frontend?.canReceive() ?? 0);
    if (n > 0) this.frontend!.receive(Uint8Array.from(bytes.slice(0, n)));
  }
}

type Op =
  | { kind: 'write'; off: number; size: 1 | 4; value: number }
  | { kind: 'read'; off: number; size: 1 | 4 }
  | { kind: 'time'; ns: number }
  | { kind: 'input'; line: number; level: boolean }
  | { kind: 'type'; bytes: number[] }
  | { kind: 'ram'; off: number; value: number };

/** A device on a bench, and how to drive it. */
interface Bench {
  readonly name: string;
  readonly decl: ObjectTypeDecl;
  readonly harts?: number;
  /** Register offsets worth hitting (others are hit at random too). */
  readonly offsets: readonly number[];
  readonly size: 1 | 4;
  /** Values worth writing besides random ones (addresses in RAM, small counts). */
  readonly values?: readonly number[];
  readonly inputs?: boolean;
  readonly serial?: boolean;
  readonly ram?: boolean;
  /** Plugs what the device needs after it is placed. */
  setup?(handle: DeviceHandle): void;
}

const VIRTIO_REGS = Object.values(V).filter((o) => o < V.CONFIG);

const BENCHES: readonly Bench[] = [
  { name: 'ns16550a', decl: ns16550a, offsets: [0, 1, 2, 3, 4, 5, 6, 7], size: 1, values: [0x80, 0x03, 0x0f, 0xc7, 0x10, 0x01, 0x41], serial: true },
  {
    name: 'riscv.sifive.plic',
    decl: plic,
    harts: 2,
    offsets: [0x4, 0x8, 0xc, 0x1000, 0x2000, 0x2080, 0x2100, 0x200000, 0x200004, 0x201000, 0x201004, 0x202004],
    size: 4,
    values: [0, 1, 2, 7, 0xe, 0xffffffff],
    inputs: true,
  },
  { name: 'riscv.sifive.clint', decl: clint, harts: 2, offsets: [0, 4, 0x4000, 0x4004, 0x4008, 0x400c, 0xbff8, 0xbffc], size: 4, values: [0, 1, 1000, 50_000, 0xffffffff] },
  { name: 'goldfish_rtc', decl: goldfishRtc, offsets: [0, 4, 8, 0xc, 0x10, 0x14, 0x18, 0x1c], size: 4, values: [0, 1, 1_000_000, 5_000_000] },
  {
    name: 'virtio-mmio (with an entropy device plugged)',
    decl: virtioMmio,
    offsets: VIRTIO_REGS,
    size: 4,
    values: [0, 1, 2, 4, 8, 15, RAM >>> 0, (RAM + 0x1000) >>> 0, (RAM + 0x2000) >>> 0],
    ram: true,
    setup(handle) {
      (handle.model as VirtioMmioModel).plug({
        deviceId: 4,
        features: [0, 0],
        queueCount: 1,
        config: new Uint8Array(0),
        notify(q) {
          let used = false;
          for (let c = q.pop(); c; c = q.pop()) {
            q.push(c, q.scatter(c, new Uint8Array(q.writableLength(c)).fill(0xab)));
            used = true;
          }
          return used;
        },
      });
    },
  },
  { name: 'riscv.sifive.test', decl: sifiveTest, offsets: [0, 4], size: 4, values: [0x5555, 0x3333, 0x7777, 0x13333] },
  { name: 'led-counter (the example plugin)', decl: ledCounter, offsets: [0, 4, 8], size: 4 },
];

interface Observation {
  irqs: boolean[];
  mip: number[];
  sent: number;
  guest: number;
}

/** One device on its own harness, and what it can be seen doing. */
class Rig {
  readonly h: DeviceHarness;
  readonly handle: DeviceHandle;
  readonly wire = new Wire();
  readonly seen: unknown[] = [];

  constructor(readonly bench: Bench) {
    this.h = new DeviceHarness({ harts: bench.harts ?? 1, ramBase: RAM, ramSize: 0x10000 });
    this.h.backends.set('chardev:serial0', this.wire);
    this.handle = this.h.add(bench.decl.ext![HW_EXT] as DeviceDecl, { base: BASE, irqs: [1] });
    bench.setup?.(this.handle);
  }

  do(op: Op): void {
    const h = this.h;
    switch (op.kind) {
      case 'write': h.write(BASE + op.off, op.value, op.size); break;
      case 'read': this.seen.push(['read', op.off, h.read(BASE + op.off, op.size)]); break;
      case 'time': h.advance(op.ns); break;
      case 'input': h.setIrq(op.line, op.level); break;
      case 'type': this.wire.type(op.bytes); break;
      case 'ram': h.memory.writeBytes(RAM + op.off, Uint8Array.of(op.value, op.value >> 8, op.value >> 16, op.value >> 24)); break;
    }
    this.seen.push(this.observe());
  }

  /** Everything the guest or the host could tell about the device right now. */
  observe(): Observation {
    return {
      irqs: [...this.handle.irqs.values()].map((l) => l.level),
      mip: this.h.harts.map((x) => x.mip),
      sent: this.wire.sent.length,
      guest: this.h.guestRequests.length,
    };
  }

  /** The device's saved state, through JSON as a snapshot file carries it (RAM as a digest too, so a mismatch prints briefly). */
  save(): { clock: number; device: unknown; mip: number[]; ram: Uint8Array; ramDigest: string } {
    const ram = this.h.memory.ram.slice();
    return { clock: this.h.clock.now(), device: JSON.parse(JSON.stringify(saveDevice(this.handle))), mip: this.h.harts.map((x) => x.mip), ram, ramDigest: createHash('sha256').update(ram).digest('hex') };
  }

  /** Loads a save into this (fresh) rig as a machine loads a snapshot: clock, RAM, harts, device, then postLoad. */
  load(s: ReturnType<Rig['save']>): void {
    this.h.clock.restore(s.clock);
    this.h.memory.ram.set(s.ram);
    this.h.harts.forEach((x, i) => (x.mip = s.mip[i]!));
    loadDevice(checkDevice(this.handle, s.device, this.handle.obj.path));
    this.handle.model.postLoad?.();
  }
}

/** A save without the raw RAM, whose digest stands for it. */
const comparable = ({ ram: _ram, ...rest }: ReturnType<Rig['save']>) => rest;

function opArb(b: Bench): fc.Arbitrary<Op> {
  const off = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...b.offsets) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x3f }).map((x) => x * 4) });
  const value = b.values ? fc.oneof(fc.constantFrom(...b.values), fc.nat({ max: 0xff }), fc.nat({ max: 0xffffffff })) : fc.nat({ max: 0xffffffff });
  const ops: Array<fc.Arbitrary<Op>> = [
    fc.record({ kind: fc.constant('write' as const), off, size: fc.constant(b.size), value }),
    fc.record({ kind: fc.constant('read' as const), off, size: fc.constant(b.size) }),
    fc.record({ kind: fc.constant('time' as const), ns: fc.oneof(fc.nat({ max: 10_000 }), fc.nat({ max: 20_000_000 })) }),
  ];
  if (b.inputs) ops.push(fc.record({ kind: fc.constant('input' as const), line: fc.integer({ min: 1, max: 6 }), level: fc.boolean() }));
  if (b.serial) ops.push(fc.record({ kind: fc.constant('type' as const), bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 20 }) }));
  if (b.ram) ops.push(fc.record({ kind: fc.constant('ram' as const), off: fc.nat({ max: 0x3ffc / 4 }).map((x) => x * 4), value: fc.oneof(fc.nat({ max: 0xffff }), fc.nat({ max: 0xffffffff })) }));
  return fc.oneof(...ops);
}

describe('device state declarations', () => {
  it('cover every built-in device type (one with no state declares an empty one)', () => {
    for (const t of DEVICE_TYPES) expect((t.ext![HW_EXT] as DeviceDecl).state, t.name).toBeDefined();
  });

  for (const bench of BENCHES)
    it(`${bench.name}: saved, loaded into a fresh device and run on, behaves exactly as the original`, () => {
      fc.assert(
        fc.property(fc.array(opArb(bench), { maxLength: 60 }), fc.array(opArb(bench), { maxLength: 60 }), (before, after) => {
          const original = new Rig(bench);
          before.forEach((op) => original.do(op));
          const saved = original.save();
          const copy = new Rig(bench);
          copy.load(saved);
          // Loading restores the device exactly: saved again, it gives the same state.
          expect(comparable(copy.save())).toEqual(comparable(saved));
          expect(copy.observe()).toEqual({ ...original.observe(), sent: 0, guest: 0 });
          original.seen.length = 0;
          const sentBefore = original.wire.sent.length, guestBefore = original.h.guestRequests.length;
          for (const op of after) {
            original.do(op);
            copy.do(op);
          }
          // The copy has sent nothing and seen no guest request before the load: count from there.
          const shift = (o: unknown) => (Array.isArray(o) ? o : { ...(o as Observation), sent: (o as Observation).sent - sentBefore, guest: (o as Observation).guest - guestBefore });
          expect(copy.seen).toEqual(original.seen.map(shift));
          expect(copy.wire.sent).toEqual(original.wire.sent.slice(sentBefore));
          expect(comparable(copy.save())).toEqual(comparable(original.save()));
        }),
        { numRuns: 150, seed: SEED, endOnFailure: true },
      );
    });
});
