import { t } from '../../kernel/index.js';
import type { CharBackend } from '../hw/backend-types.js';
import { defineDevice } from '../hw/device.js';
import { node, prop } from '../hw/fdt.js';
import { vm } from '../hw/vmstate.js';

/** Register offsets (reg-shift 0, as on QEMU's virt board). */
const REG = { RBR_THR_DLL: 0, IER_DLM: 1, IIR_FCR: 2, LCR: 3, MCR: 4, LSR: 5, MSR: 6, SCR: 7 } as const;
const IER = { RDI: 0x01, THRI: 0x02, RLSI: 0x04, MSI: 0x08 } as const;
const IIR = { NO_INT: 0x01, MSI: 0x00, THRI: 0x02, RDI: 0x04, RLSI: 0x06, CTI: 0x0c, FIFO: 0xc0 } as const;
const LSR = { DR: 0x01, OE: 0x02, BI: 0x10, THRE: 0x20, TEMT: 0x40 } as const;
const LCR_DLAB = 0x80;
const MCR_LOOP = 0x10;
const FCR = { ENABLE: 0x01, CLEAR_RX: 0x02, CLEAR_TX: 0x04 } as const;
const FIFO_SIZE = 16;
/** FCR bits 7:6 select the receive trigger level. */
const TRIGGER = [1, 4, 8, 14] as const;
/** With no modem lines from the host, the chip reports carrier, data-set-ready and clear-to-send (as QEMU does). */
const MSR_DEFAULT = 0xb0;

/** The clock QEMU's virt board gives its UART; Linux and U-Boot read it from the device tree. */
export const UART_CLOCK_HZ = 3_686_400;

/**
 * Nanoseconds one character takes on the line the guest programmed: start
 * bit, 5-8 data bits, parity, 1 or 2 stop bits, at clock / (16 * divisor)
 * baud (data sheet, "Programmable baud generator"; a zero divisor counts as 1).
 */
export function characterTimeNs(lcr: number, divisor: number): number {
  const bits = 1 + (5 + (lcr & 0x03)) + (lcr & 0x08 ? 1 : 0) + (lcr & 0x04 ? 2 : 1);
  return (bits * 1e9 * 16 * Math.max(1, divisor)) / UART_CLOCK_HZ;
}
/** The character timeout: received data waiting this many character times with no FIFO activity (data sheet, FIFO interrupt mode). */
const TIMEOUT_CHARACTERS = 4;

/**
 * A 16550A UART: 16-byte FIFOs, the interrupt priority order of the data
 * sheet (line status > received data / timeout > THR empty > modem status),
 * loopback, and a chardev back-end for the host side.
 */
export const ns16550a = defineDevice({
  name: 'ns16550a',
  doc: 'NS16550A-compatible UART (the virt board\'s serial port)',
  props: {
    chardev: { type: t.str(), doc: 'Chardev back-end id (default: serial0 when it exists)', settable: 'unrealized' },
  },
  mmio: [{ name: 'regs', size: 0x100 }],
  irqs: ['irq'],
  state: {
    version: 1,
    fields: {
      rx: vm.fifo(FIFO_SIZE),
      ier: vm.u8(), lcr: vm.u8(), mcr: vm.u8(), lsr: vm.u8(LSR.THRE | LSR.TEMT), scr: vm.u8(), fcr: vm.u8(), dll: vm.u8(0x0c), dlm: vm.u8(),
      /** The THR-empty interrupt is raised and not yet acknowledged. */
      thrPending: vm.bool(),
      /** The character timeout fired: data waits below the trigger level. */
      timeoutPending: vm.bool(),
      /** Fires 4 character times after the last FIFO activity. */
      timeout: vm.timer(),
    },
  },
  instantiate(io, s) {
    const irq = io.irq();
    const stopTimeout = () => {
      s.timeout.cancel();
      s.timeoutPending = false;
    };
    /** Restarts the timeout after the FIFO took or gave a character. */
    const restartTimeout = () => {
      stopTimeout();
      if (!fifoOn() || !s.rx.length) return;
      s.timeout.arm(io.clock.now() + TIMEOUT_CHARACTERS * characterTimeNs(s.lcr, s.dll | (s.dlm << 8)));
    };
    s.timeout.onFire(() => {
      s.timeoutPending = true;
      update();
    });
    const backend = io.backend<CharBackend>('chardev', io.prop<string | undefined>('chardev') ?? 'serial0');

    const fifoOn = () => (s.fcr & FCR.ENABLE) !== 0;
    const capacity = () => (fifoOn() ? FIFO_SIZE : 1);
    const iir = (): number => {
      let id: number = IIR.NO_INT;
      if (s.ier & IER.RLSI && s.lsr & (LSR.OE | LSR.BI)) id = IIR.RLSI;
      else if (s.ier & IER.RDI && s.timeoutPending) id = IIR.CTI;
      else if (s.ier & IER.RDI && s.rx.length && (!fifoOn() || s.rx.length >= TRIGGER[s.fcr >> 6]!)) id = IIR.RDI;
      else if (s.ier & IER.THRI && s.thrPending) id = IIR.THRI;
      return id | (fifoOn() ? IIR.FIFO : 0);
    };
    const update = () => {
      const level = (iir() & IIR.NO_INT) === 0;
      irq.set(level);
      if (level) io.kick();
    };
    const frontend = {
      canReceive: () => (s.mcr & MCR_LOOP ? 0 : capacity() - s.rx.length),
      receive(data: Uint8Array) {
        for (const b of data) {
          if (s.rx.length >= capacity()) s.lsr |= LSR.OE;
          else s.rx.push(b);
        }
        s.lsr |= LSR.DR;
        restartTimeout();
        update();
      },
    };
    const detach = backend?.attach(frontend);
    const transmit = (b: number) => {
      if (s.mcr & MCR_LOOP) frontend.receive(Uint8Array.of(b));
      else backend?.write(Uint8Array.of(b));
      // The byte leaves at once, so the holding register is empty again.
      s.thrPending = true;
      update();
    };
    const reset = () => {
      stopTimeout();
      s.rx.length = 0;
      s.ier = s.lcr = s.mcr = s.scr = s.fcr = s.dlm = 0;
      s.dll = 0x0c;
      s.lsr = LSR.THRE | LSR.TEMT;
      s.thrPending = false;
      update();
    };

    return {
      mmio: {
        regs: {
          read(offset) {
            switch (offset & 7) {
              case REG.RBR_THR_DLL: {
                if (s.lcr & LCR_DLAB) return s.dll;
                const b = s.rx.shift() ?? 0;
                if (!s.rx.length) s.lsr &= ~LSR.DR;
                restartTimeout();
                update();
                backend?.pump();
                return b;
              }
              case REG.IER_DLM:
                return s.lcr & LCR_DLAB ? s.dlm : s.ier;
              case REG.IIR_FCR: {
                const v = iir();
                // Reading IIR while it reports THR empty acknowledges that interrupt.
                if ((v & 0x0f) === IIR.THRI) {
                  s.thrPending = false;
                  update();
                }
                return v;
              }
              case REG.LCR:
                return s.lcr;
              case REG.MCR:
                return s.mcr;
              case REG.LSR: {
                const v = s.lsr;
                s.lsr &= ~(LSR.OE | LSR.BI);
                update();
                return v;
              }
              case REG.MSR:
                // Loopback routes DTR/RTS/OUT1/OUT2 to DSR/CTS/RI/DCD.
                return s.mcr & MCR_LOOP ? ((s.mcr & 0x0c) << 4) | ((s.mcr & 0x01) << 5) | ((s.mcr & 0x02) << 3) : MSR_DEFAULT;
              default:
                return s.scr;
            }
          },
          write(offset, _size, value) {
            value &= 0xff;
            switch (offset & 7) {
              case REG.RBR_THR_DLL:
                if (s.lcr & LCR_DLAB) s.dll = value;
                else transmit(value);
                return;
              case REG.IER_DLM:
                if (s.lcr & LCR_DLAB) {
                  s.dlm = value;
                  return;
                }
                // Enabling the THR-empty interrupt while the register is empty raises it at once.
                if (value & IER.THRI && !(s.ier & IER.THRI) && s.lsr & LSR.THRE) s.thrPending = true;
                s.ier = value & 0x0f;
                update();
                return;
              case REG.IIR_FCR:
                if (value & FCR.CLEAR_RX || (value & FCR.ENABLE) !== (s.fcr & FCR.ENABLE)) {
                  s.rx.length = 0;
                  s.lsr &= ~LSR.DR;
                  stopTimeout();
                }
                s.fcr = value & 0xc1;
                update();
                backend?.pump();
                return;
              case REG.LCR:
                s.lcr = value;
                return;
              case REG.MCR:
                s.mcr = value & 0x1f;
                return;
              case REG.SCR:
                s.scr = value;
                return;
              default:
                return; // LSR and MSR are read-only
            }
          },
        },
      },
      reset,
      unrealize() {
        stopTimeout();
        detach?.();
      },
    };
  },
  fdt(f) {
    const r = f.placement.regions[0]!;
    return node(`serial@${r.base.toString(16)}`, {
      interrupts: prop.cells(f.placement.irqs[0]!),
      'interrupt-parent': prop.cells(f.irqParent),
      'clock-frequency': prop.cells(UART_CLOCK_HZ),
      reg: prop.reg64([r.base, r.size]),
      compatible: prop.str('ns16550a'),
    });
  },
});
