/**
 * How vmledger's console for issue 11's Linux boot may differ from QEMU
 * 7.2's, as data: the kernel's timestamps, values that depend on when or how
 * fast (not on what) the guest ran, and every line about hardware or ISA
 * features one board has and the other has not, each with its reason.
 */

/** A difference vmledger's console has from QEMU's: a line replaced, dropped (`vmledger: null`) or added after another. */
export interface ConsoleDifference {
  /** QEMU's line (after normalizing), or null for a line only vmledger prints. */
  readonly qemu: string | null;
  /** vmledger's line in its place, or null when vmledger prints nothing there. */
  readonly vmledger: string | null;
  /** For a line only vmledger prints: QEMU's line it follows. */
  readonly after?: string;
  readonly reason: string;
}

/**
 * Values in a line that depend on when or how fast the guest ran: both
 * consoles have them replaced by `<...>` before comparing. Each must match
 * one of QEMU's lines, or the rule is stale.
 */
export const TIME_DEPENDENT: ReadonlyArray<{ readonly pattern: RegExp; readonly reason: string }> = [
  { pattern: /(?<=^node 0 deferred pages initialised in )\d+(?=ms$)/, reason: 'how long the kernel took to initialise its page structures' },
  { pattern: /(?<=^audit: type=2000 audit\()\d+\.\d+(?=:1\))/, reason: 'the audit subsystem stamps its first record with the uptime' },
  { pattern: /(?<=^cpu0: Ratio of byte access time to unaligned word access is )\d+\.\d+(?=, unaligned accesses are fast$)/, reason: 'a timed measurement of the core' },
  { pattern: /(?<=^goldfish_rtc 101000\.rtc: setting system clock to ).*$/, reason: 'the RTC starts from the host\'s wall clock' },
];

/**
 * Lines the kernel prints only when it ran slowly (a loaded host, the
 * interpreter), dropped from both consoles: they say how fast, not what.
 * They need not occur, so they are not checked for staleness.
 */
export const LOAD_DEPENDENT: ReadonlyArray<{ readonly pattern: RegExp; readonly reason: string }> = [
  { pattern: /^hrtimer: interrupt took \d+ ns$/, reason: 'the timer interrupt handler ran long enough for the kernel to widen its minimum timer delta' },
  { pattern: /^workqueue: \S+ hogged CPU for >\d+us \d+ times, consider switching to WQ_UNBOUND$/, reason: 'a work item ran longer than the workqueue watchdog\'s threshold' },
];

/**
 * Lines printed by work the kernel runs beside its initcalls (the initramfs
 * is unpacked by an asynchronous work item): where they fall among the other
 * lines depends on how fast each part ran, on either emulator. Both consoles
 * must have them; their place is not compared.
 */
export const CONCURRENT: ReadonlyArray<{ readonly pattern: RegExp; readonly reason: string }> = [
  { pattern: /^Trying to unpack rootfs image as initramfs\.\.\.$/, reason: 'printed when the asynchronous unpacking of the initramfs starts' },
  { pattern: /^Freeing initrd memory: \d+K$/, reason: 'printed when the asynchronous unpacking of the initramfs ends' },
];

/** One line QEMU prints about a device vmledger's board does not have. */
const noPci = (qemu: string): ConsoleDifference => ({
  qemu,
  vmledger: null,
  reason: 'vmledger\'s virt board has no PCIe host bridge (QEMU\'s gpex at 0x30000000): no pci node in the device tree, so the pci-host-generic driver does not probe',
});

/** Every line where vmledger's console differs from QEMU's, in QEMU's order. */
export const EXPECTED_DIFFERENCES: readonly ConsoleDifference[] = [
  {
    qemu: 'Boot HART Priv Version    : v1.12',
    vmledger: 'Boot HART Priv Version    : v1.10',
    reason: 'OpenSBI infers the privileged spec version from the CSRs it finds: the rv64 core has neither mcountinhibit (1.11) nor menvcfg (1.12)',
  },
  {
    qemu: 'Boot HART Base ISA        : rv64imafdch',
    vmledger: 'Boot HART Base ISA        : rv64imafdc',
    reason: 'misa: the rv64 core implements RV64GC without the hypervisor extension (H)',
  },
  {
    qemu: 'Boot HART ISA Extensions  : time,sstc',
    vmledger: 'Boot HART ISA Extensions  : time',
    reason: 'the rv64 core has no Sstc (stimecmp), so OpenSBI finds only the time CSR',
  },
  {
    qemu: 'Boot HART MHPM Count      : 16',
    vmledger: 'Boot HART MHPM Count      : 0',
    reason: 'the rv64 core implements no mhpmcounter3..31',
  },
  {
    qemu: 'Boot HART MIDELEG         : 0x0000000000001666',
    vmledger: 'Boot HART MIDELEG         : 0x0000000000000222',
    reason: 'without H, the VS-level and guest-external interrupt bits (2, 6, 10, 12) are not there to be read as delegated',
  },
  {
    qemu: 'Boot HART MEDELEG         : 0x0000000000f0b509',
    vmledger: 'Boot HART MEDELEG         : 0x000000000000b109',
    reason: 'without H, OpenSBI does not delegate the virtual-instruction and guest-page-fault causes (10, 20-23) nor ecall from VS (bit 10 of the low byte set)',
  },
  {
    qemu: 'NODE_DATA(0) allocated [mem 0x8fdf1000-0x8fdf343f]',
    vmledger: 'NODE_DATA(0) allocated [mem 0x8fdf3fc0-0x8fdf63ff]',
    reason: 'the early allocator works down from the device tree at the top of RAM, and QEMU\'s tree is larger (PCIe, flash, fw_cfg nodes)',
  },
  {
    qemu: 'Falling back to deprecated "riscv,isa"',
    vmledger: null,
    reason: 'vmledger\'s device tree also has riscv,isa-base and riscv,isa-extensions, which QEMU 7.2 does not write',
  },
  {
    qemu: 'riscv: base ISA extensions acdfhim',
    vmledger: 'riscv: base ISA extensions acdfim',
    reason: 'no hypervisor extension (H) in the rv64 core',
  },
  {
    qemu: 'riscv-timer: Timer interrupt in S-mode is available via sstc extension',
    vmledger: null,
    reason: 'no Sstc in the rv64 core: the kernel programs its timer through SBI',
  },
  {
    qemu: 'Memory: 184868K/262144K available (10749K kernel code, 5217K rwdata, 10240K rodata, 2691K init, 708K bss, 73812K reserved, 0K cma-reserved)',
    vmledger: 'Memory: 184884K/262144K available (10749K kernel code, 5217K rwdata, 10240K rodata, 2691K init, 708K bss, 73796K reserved, 0K cma-reserved)',
    reason: 'the device tree the kernel keeps reserved is 16 KiB smaller without QEMU\'s PCIe, flash and fw_cfg nodes',
  },
  noPci('pci-host-generic 30000000.pci: host bridge /soc/pci@30000000 ranges:'),
  noPci('pci-host-generic 30000000.pci:       IO 0x0003000000..0x000300ffff -> 0x0000000000'),
  noPci('pci-host-generic 30000000.pci:      MEM 0x0040000000..0x007fffffff -> 0x0040000000'),
  noPci('pci-host-generic 30000000.pci:      MEM 0x0400000000..0x07ffffffff -> 0x0400000000'),
  noPci('pci-host-generic 30000000.pci: Memory resource size exceeds max for 32 bits'),
  noPci('pci-host-generic 30000000.pci: ECAM at [mem 0x30000000-0x3fffffff] for [bus 00-ff]'),
  noPci('pci-host-generic 30000000.pci: PCI host bridge to bus 0000:00'),
  noPci('pci_bus 0000:00: root bus resource [bus 00-ff]'),
  noPci('pci_bus 0000:00: root bus resource [io  0x0000-0xffff]'),
  noPci('pci_bus 0000:00: root bus resource [mem 0x40000000-0x7fffffff]'),
  noPci('pci_bus 0000:00: root bus resource [mem 0x400000000-0x7ffffffff]'),
  noPci('pci 0000:00:00.0: [1b36:0008] type 00 class 0x060000 conventional PCI endpoint'),
  noPci('pci_bus 0000:00: resource 4 [io  0x0000-0xffff]'),
  noPci('pci_bus 0000:00: resource 5 [mem 0x40000000-0x7fffffff]'),
  noPci('pci_bus 0000:00: resource 6 [mem 0x400000000-0x7ffffffff]'),
  {
    qemu: 'riscv-pmu-sbi: 16 firmware and 18 hardware counters',
    vmledger: 'riscv-pmu-sbi: 16 firmware and 2 hardware counters',
    reason: 'the rv64 core counts cycle and instret only (no mhpmcounter3..31)',
  },
];

/** Cuts the kernel's `[    1.234567] ` timestamp off a console line and masks its time-dependent values. */
export function normalize(line: string): string {
  let out = line.replace(/^\[\s*\d+\.\d+\] /, '');
  for (const t of TIME_DEPENDENT) out = out.replace(t.pattern, '<...>');
  return out;
}

/**
 * Normalizes both consoles and applies EXPECTED_DIFFERENCES to QEMU's,
 * giving the lines vmledger must print (`expected`) next to what it did
 * print (`got`), and the differences and time rules that matched nothing in
 * QEMU's console (`unused`: the list has gone stale).
 */
export function compareWithQemu(qemuLines: readonly string[], ourLines: readonly string[]): { expected: string[]; got: string[]; unused: string[] } {
  const kept = (l: string) => !LOAD_DEPENDENT.some((d) => d.pattern.test(l));
  const concurrent = (l: string) => CONCURRENT.some((d) => d.pattern.test(l));
  // Lines of concurrent work go last, in a fixed order, on both sides: compared as present, not as placed.
  const placed = (ls: string[]) => [...ls.filter((l) => !concurrent(l)), ...ls.filter(concurrent).sort()];
  const qemu = placed(qemuLines.map(normalize).filter(kept));
  const expected: string[] = [];
  for (const line of qemu) {
    const replaced = EXPECTED_DIFFERENCES.find((d) => d.qemu === line);
    if (!replaced) expected.push(line);
    else if (replaced.vmledger !== null) expected.push(replaced.vmledger);
    for (const added of EXPECTED_DIFFERENCES) if (added.qemu === null && added.after === line) expected.push(added.vmledger!);
  }
  const unused = [
    ...EXPECTED_DIFFERENCES.filter((d) => !qemu.includes((d.qemu ?? d.after)!)).map((d) => `difference: ${d.qemu ?? `(after) ${d.after}`}`),
    ...TIME_DEPENDENT.filter((t) => !qemuLines.some((l) => t.pattern.test(l.replace(/^\[\s*\d+\.\d+\] /, '')))).map((t) => `time rule: ${t.pattern}`),
    ...CONCURRENT.filter((c) => !qemu.some((l) => c.pattern.test(l))).map((c) => `concurrent line: ${c.pattern}`),
  ];
  return { expected, got: placed(ourLines.map(normalize).filter(kept)), unused };
}
