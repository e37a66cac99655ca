import { describe, expect, it } from 'vitest';
import { VirtualClock, ManualTime } from '../../plugins/hw/virtual-clock.js';
import { applyState, createRecord, createState, decodeState, saveState, StateError, vm } from '../../plugins/hw/vmstate.js';

const ITEM = { n: vm.u16(), on: vm.bool() } as const;
const DECL = {
  version: 1,
  fields: {
    byte: vm.u8(7),
    word: vm.u32(),
    any: vm.num(),
    flag: vm.bool(),
    big: vm.bigint(),
    perHart: vm.array('u32', (env) => env.harts, 0xffffffff),
    fixed: vm.array('i32', 3),
    fifo: vm.fifo(4),
    timer: vm.timer(),
    list: vm.list(ITEM, 4),
  },
} as const;

function fresh(clock = new VirtualClock(new ManualTime())) {
  return { clock, s: createState(DECL, { harts: 2 }, clock) };
}

describe('declared device state (vmstate)', () => {
  it('creates the state at the declared initial values, arrays sized from the machine', () => {
    const { s } = fresh();
    expect(s.byte).toBe(7);
    expect([...s.perHart]).toEqual([0xffffffff, 0xffffffff]);
    expect(s.fixed).toBeInstanceOf(Int32Array);
    expect(s.fixed.length).toBe(3);
    expect(s.timer.armed).toBe(false);
  });

  it('is sealed: a model cannot keep undeclared state on it', () => {
    const { s } = fresh();
    expect(() => {
      (s as Record<string, unknown>).extra = 1;
    }).toThrow(TypeError);
  });

  it('saves and loads every kind of field exactly, NaN, -0, bigints past 2^53 and armed timers included', () => {
    const a = fresh();
    Object.assign(a.s, { byte: 255, word: 0xdeadbeef, any: NaN, flag: true, big: 2n ** 70n + 3n });
    a.s.perHart[1] = 5;
    a.s.fixed.set([-1, 0, 2 ** 31 - 1]);
    a.s.fifo.push(1, 2, 3);
    a.s.list.push(createRecord(ITEM), createRecord(ITEM));
    a.s.list[1]!.n = 65535;
    a.s.timer.arm(12_345);
    const saved = JSON.parse(JSON.stringify(saveState(DECL.fields, a.s))) as Record<string, unknown>;

    const b = fresh();
    b.s.list.push(createRecord(ITEM), createRecord(ITEM));
    let fired = 0;
    b.s.timer.onFire(() => fired++);
    applyState(DECL.fields, b.s, decodeState(DECL.fields, b.s, saved, 'dev'));
    expect(saveState(DECL.fields, b.s)).toEqual(saveState(DECL.fields, a.s));
    expect(Number.isNaN(b.s.any)).toBe(true);
    expect(b.s.big).toBe(2n ** 70n + 3n);
    // The timer is armed again at the saved deadline, on the new clock.
    b.clock.advance(12_344);
    expect(fired).toBe(0);
    b.clock.advance(1);
    expect(fired).toBe(1);

    const negZero = fresh();
    negZero.s.any = -0;
    const back = fresh();
    applyState(DECL.fields, back.s, decodeState(DECL.fields, back.s, JSON.parse(JSON.stringify(saveState(DECL.fields, negZero.s))), 'dev'));
    expect(Object.is(back.s.any, -0)).toBe(true);
  });

  const bad: Array<[string, (d: Record<string, unknown>) => void, RegExp]> = [
    ['a missing field', (d) => delete d.word, /dev\.word: missing/],
    ['an undeclared field', (d) => (d.extra = 1), /field 'extra' is not declared/],
    ['a byte out of range', (d) => (d.byte = 256), /dev\.byte: expected an unsigned 8-bit integer/],
    ['a fraction where an integer belongs', (d) => (d.word = 1.5), /dev\.word: expected an unsigned 32-bit integer/],
    ['an array of another length', (d) => (d.perHart = Buffer.alloc(12).toString('base64')), /dev\.perHart: 12 bytes where this machine has 8/],
    ['a fifo past its capacity', (d) => (d.fifo = [1, 2, 3, 4, 5]), /dev\.fifo: expected at most 4 bytes/],
    ['a list of another length', (d) => (d.list = []), /dev\.list: expected 1 entries/],
    ['a bad list entry', (d) => ((d.list as Array<Record<string, unknown>>)[0]!.on = 'yes'), /dev\.list\[0\]\.on: expected true or false/],
    ['a bigint that is not an integer', (d) => (d.big = '1e3'), /dev\.big: expected a decimal integer/],
  ];
  for (const [what, spoil, message] of bad)
    it(`refuses ${what}, naming the field, and changes nothing`, () => {
      const { s } = fresh();
      s.list.push(createRecord(ITEM));
      const before = saveState(DECL.fields, s);
      const data = JSON.parse(JSON.stringify(before)) as Record<string, unknown>;
      spoil(data);
      expect(() => decodeState(DECL.fields, s, data, 'dev')).toThrow(StateError);
      expect(() => decodeState(DECL.fields, s, data, 'dev')).toThrow(message);
      expect(saveState(DECL.fields, s)).toEqual(before);
    });
});
