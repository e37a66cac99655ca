/*
 * The host C library as a second oracle for the FPU tests (x86-64: SSE
 * arithmetic is IEEE 754 with tininess detected after rounding, as RISC-V).
 * Reads lines "op rm a b c" (rm 0..3 = RNE RTZ RDN RUP, operands as hex bit
 * patterns) and prints "result flags" in hex, flags in the fflags layout.
 * Built and run by host-oracle.test.ts; volatile operands and
 * -frounding-math keep the compiler from folding anything.
 */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static float f32(uint64_t b) { uint32_t w = (uint32_t)b; float f; memcpy(&f, &w, 4); return f; }
static double f64(uint64_t b) { double d; memcpy(&d, &b, 8); return d; }
static uint64_t b32(float f) { uint32_t w; memcpy(&w, &f, 4); return w; }
static uint64_t b64(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }

static const int modes[4] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };

int main(void) {
  char op[32];
  unsigned rm;
  unsigned long long a, b, c;
  while (scanf("%31s %u %llx %llx %llx", op, &rm, &a, &b, &c) == 5) {
    volatile float fa = f32(a), fb = f32(b), fc = f32(c);
    volatile double da = f64(a), db = f64(b), dc = f64(c);
    volatile int64_t ia = (int64_t)a;
    volatile uint64_t ua = a;
    uint64_t r = 0;
    fesetround(modes[rm & 3]);
    feclearexcept(FE_ALL_EXCEPT);
    if (!strcmp(op, "fadd.s")) r = b32(fa + fb);
    else if (!strcmp(op, "fsub.s")) r = b32(fa - fb);
    else if (!strcmp(op, "fmul.s")) r = b32(fa * fb);
    else if (!strcmp(op, "fdiv.s")) r = b32(fa / fb);
    else if (!strcmp(op, "fsqrt.s")) r = b32(sqrtf(fa));
    else if (!strcmp(op, "fmadd.s")) r = b32(fmaf(fa, fb, fc));
    else if (!strcmp(op, "fmsub.s")) r = b32(fmaf(fa, fb, -fc));
    else if (!strcmp(op, "fnmsub.s")) r = b32(fmaf(-fa, fb, fc));
    else if (!strcmp(op, "fnmadd.s")) r = b32(fmaf(-fa, fb, -fc));
    else if (!strcmp(op, "feq.s")) r = fa == fb;
    else if (!strcmp(op, "flt.s")) r = fa < fb;
    else if (!strcmp(op, "fle.s")) r = fa <= fb;
    else if (!strcmp(op, "fadd.d")) r = b64(da + db);
    else if (!strcmp(op, "fsub.d")) r = b64(da - db);
    else if (!strcmp(op, "fmul.d")) r = b64(da * db);
    else if (!strcmp(op, "fdiv.d")) r = b64(da / db);
    else if (!strcmp(op, "fsqrt.d")) r = b64(sqrt(da));
    else if (!strcmp(op, "fmadd.d")) r = b64(fma(da, db, dc));
    else if (!strcmp(op, "fmsub.d")) r = b64(fma(da, db, -dc));
    else if (!strcmp(op, "fnmsub.d")) r = b64(fma(-da, db, dc));
    else if (!strcmp(op, "fnmadd.d")) r = b64(fma(-da, db, -dc));
    else if (!strcmp(op, "feq.d")) r = da == db;
    else if (!strcmp(op, "flt.d")) r = da < db;
    else if (!strcmp(op, "fle.d")) r = da <= db;
    else if (!strcmp(op, "fcvt.s.d")) r = b32((float)da);
    else if (!strcmp(op, "fcvt.d.s")) r = b64((double)fa);
    else if (!strcmp(op, "fcvt.s.w")) r = b32((float)(int32_t)ia);
    else if (!strcmp(op, "fcvt.s.wu")) r = b32((float)(uint32_t)ua);
    else if (!strcmp(op, "fcvt.s.l")) r = b32((float)ia);
    else if (!strcmp(op, "fcvt.s.lu")) r = b32((float)ua);
    else if (!strcmp(op, "fcvt.d.w")) r = b64((double)(int32_t)ia);
    else if (!strcmp(op, "fcvt.d.wu")) r = b64((double)(uint32_t)ua);
    else if (!strcmp(op, "fcvt.d.l")) r = b64((double)ia);
    else if (!strcmp(op, "fcvt.d.lu")) r = b64((double)ua);
    /* float to integer: llrint rounds by the current mode; callers compare in-range results only */
    else if (!strcmp(op, "fcvt.w.s") || !strcmp(op, "fcvt.wu.s") || !strcmp(op, "fcvt.l.s") || !strcmp(op, "fcvt.lu.s")) r = (uint64_t)llrintf(fa);
    else if (!strcmp(op, "fcvt.w.d") || !strcmp(op, "fcvt.wu.d") || !strcmp(op, "fcvt.l.d") || !strcmp(op, "fcvt.lu.d")) r = (uint64_t)llrint(da);
    else { printf("unknown 0\n"); continue; }
    int e = fetestexcept(FE_ALL_EXCEPT);
    int flags = (e & FE_INEXACT ? 1 : 0) | (e & FE_UNDERFLOW ? 2 : 0) | (e & FE_OVERFLOW ? 4 : 0) | (e & FE_DIVBYZERO ? 8 : 0) | (e & FE_INVALID ? 16 : 0);
    printf("%llx %x\n", (unsigned long long)r, flags);
  }
  return 0;
}
