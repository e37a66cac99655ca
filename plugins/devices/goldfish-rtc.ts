import { defineDevice } from '../hw/device.js';
import { node, prop } from '../hw/fdt.js';
import { vm } from '../hw/vmstate.js';

/** Goldfish RTC registers (Android emulator spec, as QEMU implements them). */
export const RTC = {
  TIME_LOW: 0x00,
  TIME_HIGH: 0x04,
  ALARM_LOW: 0x08,
  ALARM_HIGH: 0x0c,
  IRQ_ENABLED: 0x10,
  CLEAR_ALARM: 0x14,
  ALARM_STATUS: 0x18,
  CLEAR_INTERRUPT: 0x1c,
} as const;

/**
 * Goldfish RTC: nanoseconds since the epoch, starting from the machine's
 * wall clock (`VirtualClock.epochMs`) at realize and then advancing with guest time; one alarm with an
 * interrupt. Reading TIME_LOW latches TIME_HIGH, as the guest driver expects.
 */
export const goldfishRtc = defineDevice({
  name: 'goldfish_rtc',
  doc: 'Goldfish real-time clock with an alarm interrupt',
  mmio: [{ name: 'regs', size: 0x1000 }],
  irqs: ['irq'],
  state: {
    version: 1,
    fields: {
      /** Nanoseconds since the epoch at virtual time 0; past 2^53, so a bigint (not a hot path). */
      base: vm.bigint(),
      /** TIME_HIGH as latched by the last TIME_LOW read; the high words written before TIME_LOW and ALARM_LOW. */
      latchedHigh: vm.u32(),
      timeHigh: vm.u32(),
      alarmHigh: vm.u32(),
      alarmAt: vm.bigint(),
      alarm: vm.timer(),
      irqEnabled: vm.u8(),
      fired: vm.u8(),
    },
  },
  instantiate(io, s) {
    const irq = io.irq();
    // The machine's wall clock, which starts from the host's (or a fixed epoch when time is deterministic).
    s.base = BigInt(Math.round(io.clock.epochMs)) * 1_000_000n;
    const now = () => s.base + BigInt(Math.round(io.clock.now()));
    const lo = (v: bigint) => Number(v & 0xffffffffn);
    const hi = (v: bigint) => Number((v >> 32n) & 0xffffffffn);
    const update = () => {
      irq.set(s.fired === 1 && s.irqEnabled === 1);
      if (irq.level) io.kick();
    };
    const arm = (at: bigint) => {
      s.alarmAt = at;
      s.alarm.arm(Number(at - s.base));
    };
    s.alarm.onFire(() => {
      s.fired = 1;
      update();
    });

    return {
      mmio: {
        regs: {
          read(off) {
            switch (off) {
              case RTC.TIME_LOW: {
                const t = now();
                s.latchedHigh = hi(t);
                return lo(t);
              }
              case RTC.TIME_HIGH:
                return s.latchedHigh;
              case RTC.ALARM_LOW:
                return lo(s.alarmAt);
              case RTC.ALARM_HIGH:
                return hi(s.alarmAt);
              case RTC.IRQ_ENABLED:
                return s.irqEnabled;
              case RTC.ALARM_STATUS:
                return s.alarm.armed ? 1 : 0;
              default:
                return 0;
            }
          },
          write(off, _size, value) {
            switch (off) {
              case RTC.TIME_HIGH:
                s.timeHigh = value >>> 0;
                return;
              case RTC.TIME_LOW:
                s.base = (BigInt(s.timeHigh) << 32n) + BigInt(value >>> 0) - BigInt(Math.round(io.clock.now()));
                return;
              case RTC.ALARM_HIGH:
                s.alarmHigh = value >>> 0;
                return;
              case RTC.ALARM_LOW:
                // Writing the low word arms the alarm (the driver writes HIGH first).
                arm((BigInt(s.alarmHigh) << 32n) + BigInt(value >>> 0));
                return;
              case RTC.IRQ_ENABLED:
                s.irqEnabled = value & 1;
                update();
                return;
              case RTC.CLEAR_ALARM:
                s.alarm.cancel();
                return;
              case RTC.CLEAR_INTERRUPT:
                s.fired = 0;
                update();
                return;
            }
          },
        },
      },
      reset() {
        s.alarm.cancel();
        s.irqEnabled = 0;
        s.fired = 0;
        update();
      },
      unrealize() {
        s.alarm.cancel();
      },
    };
  },
  fdt(f) {
    const r = f.placement.regions[0]!;
    return node(`rtc@${r.base.toString(16)}`, {
      interrupts: prop.cells(f.placement.irqs[0]!),
      'interrupt-parent': prop.cells(f.irqParent),
      reg: prop.reg64([r.base, r.size]),
      compatible: prop.str('google,goldfish-rtc'),
    });
  },
});
