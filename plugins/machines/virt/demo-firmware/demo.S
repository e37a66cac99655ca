/*
 * vmledger demo firmware: what `npm start` boots when no -bios is given.
 * Prints a banner on UART0, echoes what is typed, and powers the machine off
 * through the SiFive test device when 'q' is pressed. Hart 0 sleeps in wfi
 * between keys (UART receive interrupt routed through the PLIC), so an idle
 * guest costs the host nothing. Other harts park in wfi.
 *
 * Entered from the boot ROM with a0 = hart id, a1 = device-tree address.
 */
#define UART0        0x10000000
#define UART_RBR     0
#define UART_THR     0
#define UART_IER     1
#define UART_FCR     2
#define UART_LCR     3
#define UART_LSR     5
#define LSR_DR       0x01
#define LSR_THRE     0x20
#define UART_IRQ     10
#define PLIC         0x0c000000
#define PLIC_ENABLE0 0x0c002000      /* context 0: hart 0, M-mode */
#define PLIC_THRESH0 0x0c200000
#define PLIC_CLAIM0  0x0c200004
#define TEST_DEVICE  0x100000
#define TEST_PASS    0x5555           /* poweroff */
#define MIE_MEIE     (1 << 11)

    .section .text.start
    .globl _start
_start:
    bnez    a0, park
    mv      s0, a0                    /* hart id */
    mv      s1, a1                    /* device-tree address */
    li      sp, 0x80000000 + 0x10000

    li      t0, UART0
    li      t1, 0x03                  /* 8 data bits, no parity, 1 stop bit */
    sb      t1, UART_LCR(t0)
    li      t1, 0x07                  /* enable and clear the FIFOs */
    sb      t1, UART_FCR(t0)
    li      t1, 0x01                  /* interrupt on received data */
    sb      t1, UART_IER(t0)

    li      t0, PLIC + 4 * UART_IRQ   /* priority 1 for the UART's source */
    li      t1, 1
    sw      t1, 0(t0)
    li      t0, PLIC_ENABLE0
    li      t1, 1 << UART_IRQ
    sw      t1, 0(t0)
    li      t0, PLIC_THRESH0
    sw      zero, 0(t0)
    li      t0, MIE_MEIE              /* wfi wakes on the external interrupt; MIE stays off, so no trap */
    csrs    mie, t0

    lla      a0, banner
    call    puts
    lla      a0, hart_msg
    call    puts
    mv      a0, s0
    call    puthex
    lla      a0, dtb_msg
    call    puts
    mv      a0, s1
    call    puthex
    lla      a0, help_msg
    call    puts

wait_key:
    wfi
    li      t0, PLIC_CLAIM0
    lw      s2, 0(t0)                 /* claim (0 when the wake-up was for something else) */
drain:
    li      t0, UART0
    lbu     t1, UART_LSR(t0)
    andi    t1, t1, LSR_DR
    beqz    t1, complete
    lbu     a0, UART_RBR(t0)
    li      t1, 'q'
    beq     a0, t1, poweroff
    li      t1, '\r'
    bne     a0, t1, 1f
    call    putc
    li      a0, '\n'
1:  call    putc
    j       drain
complete:
    beqz    s2, wait_key
    li      t0, PLIC_CLAIM0
    sw      s2, 0(t0)
    j       wait_key

poweroff:
    lla      a0, bye_msg
    call    puts
    li      t0, TEST_DEVICE
    li      t1, TEST_PASS
    sw      t1, 0(t0)
park:
    wfi
    j       park

/* putc(a0): waits for room in the transmitter, then sends one byte. */
putc:
    li      t0, UART0
1:  lbu     t1, UART_LSR(t0)
    andi    t1, t1, LSR_THRE
    beqz    t1, 1b
    sb      a0, UART_THR(t0)
    ret

/* puts(a0): sends a NUL-terminated string. */
puts:
    addi    sp, sp, -16
    sd      ra, 8(sp)
    sd      s3, 0(sp)
    mv      s3, a0
1:  lbu     a0, 0(s3)
    beqz    a0, 2f
    call    putc
    addi    s3, s3, 1
    j       1b
2:  ld      s3, 0(sp)
    ld      ra, 8(sp)
    addi    sp, sp, 16
    ret

/* puthex(a0): sends 0x and 16 hex digits. */
puthex:
    addi    sp, sp, -32
    sd      ra, 24(sp)
    sd      s3, 16(sp)
    sd      s4, 8(sp)
    mv      s3, a0
    li      a0, '0'
    call    putc
    li      a0, 'x'
    call    putc
    li      s4, 60
1:  srl     a0, s3, s4
    andi    a0, a0, 0xf
    li      t2, 10
    blt     a0, t2, 2f
    addi    a0, a0, 'a' - 10 - '0'
2:  addi    a0, a0, '0'
    call    putc
    addi    s4, s4, -4
    bgez    s4, 1b
    ld      s4, 8(sp)
    ld      s3, 16(sp)
    ld      ra, 24(sp)
    addi    sp, sp, 32
    ret

    .section .rodata
banner:   .asciz "\r\nvmledger demo firmware on the RISC-V virt board\r\n"
hart_msg: .asciz "hart id:      "
dtb_msg:  .asciz "\r\ndevice tree:  "
help_msg: .asciz "\r\nType and it echoes; press q to power off.\r\n> "
bye_msg:  .asciz "\r\nPowering off through the SiFive test device.\r\n"
