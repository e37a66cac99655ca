/**
 * `npm run build:isa`: rebuilds the committed ISA test programs
 * (test/isa/programs) and their digests with Debian's cross toolchain.
 * Run it after changing anything in test/isa, and commit the result.
 */
import { relative } from 'node:path';
import { haveToolchain, PROGRAMS_DIR, writeIsaPrograms } from '../test/isa/build.js';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log('usage: npm run build:isa\nRebuilds test/isa/programs/*.bin and programs.json from test/isa/*.S (needs gcc-riscv64-linux-gnu and binutils-riscv64-linux-gnu).');
  process.exit(0);
}
if (!haveToolchain()) {
  console.error('build:isa: riscv64-linux-gnu-gcc or riscv64-linux-gnu-objcopy not found: apt-get install gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu');
  process.exit(1);
}
try {
  const names = writeIsaPrograms();
  console.log(`built ${names.length} programs for the test bus and QEMU's virt board into ${relative(process.cwd(), PROGRAMS_DIR)}`);
} catch (e) {
  console.error(`build:isa: ${(e as Error).message}`);
  process.exit(1);
}
