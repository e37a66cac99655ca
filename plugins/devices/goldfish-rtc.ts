import { defineDevice } from '../hw/device.js';
import { node, prop } from '../hw/fdt.js';
import type { TimerHandle } from '../hw/virtual-clock.js';

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
 * Goldfish RTC: nanoseconds since the epoch, starting from the host's wall
 * clock at realize and then advancing with guest time; one alarm with an
 * interrupt. Reading TIME_LOW latches TIME_HIGH, as the guest driver expects.
 */
export const goldfishRtc = defineDevice({
  name: 'goldfish_rtc',
  doc: 'Goldfish real-time clock with an alarm interrupt',
  mmio: [{ name: 'regs', size: 0x1000 }],
  irqs: ['irq'],
  instantiate(io) {
    const irq = io.irq();
    // Nanoseconds since the epoch exceed 2^53, so the RTC keeps them as bigint (it is not a hot path).
    let base = BigInt(Date.now()) * 1_000_000n - BigInt(Math.round(io.clock.now()));
    let latchedHigh = 0;
    let alarmHigh = 0;
    let alarm: TimerHandle | undefined;
    let alarmAt = 0n;
    let irqEnabled = 0;
    let fired = 0;
    let timeHigh = 0;

    const now = () => base + BigInt(Math.round(io.clock.now()));
    const lo = (v: bigint) => Number(v & 0xffffffffn);
    const hi = (v: bigint) => Number((v >> 32n) & 0xffffffffn);
    const update = () => {
      irq.set(fired === 1 && irqEnabled === 1);
      if (irq.level) io.kick();
    };
    const arm = (at: bigint) => {
      alarm?.cancel();
      alarmAt = at;
      alarm = io.clock.setTimerAt(Number(at - base), () => {
        alarm = undefined;
        fired = 1;
        update();
      });
    };

    return {
      mmio: {
        regs: {
          read(off) {
            switch (off) {
              case RTC.TIME_LOW: {
                const t = now();
                latchedHigh = hi(t);
                return lo(t);
              }
              case RTC.TIME_HIGH:
                return latchedHigh;
              case RTC.ALARM_LOW:
                return lo(alarmAt);
              case RTC.ALARM_HIGH:
                return hi(alarmAt);
              case RTC.IRQ_ENABLED:
                return irqEnabled;
              case RTC.ALARM_STATUS:
                return alarm ? 1 : 0;
              default:
                return 0;
            }
          },
          write(off, _size, value) {
            switch (off) {
              case RTC.TIME_HIGH:
                timeHigh = value >>> 0;
                return;
              case RTC.TIME_LOW:
                base = (BigInt(timeHigh) << 32n) + BigInt(value >>> 0) - BigInt(Math.round(io.clock.now()));
                return;
              case RTC.ALARM_HIGH:
                alarmHigh = value >>> 0;
                return;
              case RTC.ALARM_LOW:
                // Writing the low word arms the alarm (the driver writes HIGH first).
                arm((BigInt(alarmHigh) << 32n) + BigInt(value >>> 0));
                return;
              case RTC.IRQ_ENABLED:
                irqEnabled = value & 1;
                update();
                return;
              case RTC.CLEAR_ALARM:
                alarm?.cancel();
                alarm = undefined;
                return;
              case RTC.CLEAR_INTERRUPT:
                fired = 0;
                update();
                return;
            }
          },
        },
      },
      reset() {
        alarm?.cancel();
        alarm = undefined;
        irqEnabled = 0;
        fired = 0;
        update();
      },
      unrealize() {
        alarm?.cancel();
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
