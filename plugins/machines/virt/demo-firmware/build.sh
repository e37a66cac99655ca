#!/usr/bin/env sh
# Rebuilds demo.bin from demo.S with Debian's cross toolchain
# (apt-get install gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu).
# The built binary is committed, so running vmledger needs no toolchain.
set -eu
cd "$(dirname "$0")"
riscv64-linux-gnu-gcc -nostdlib -nostartfiles -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany \
  -Wl,-T,link.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments -o demo.elf demo.S
riscv64-linux-gnu-objcopy -O binary demo.elf demo.bin
rm -f demo.elf
