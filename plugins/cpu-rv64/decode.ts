/**
 * The decoder: 32-bit and 16-bit (RVC) instructions into a packed op word
 * and an immediate, which the decoded-instruction cache holds and the
 * interpreter and block compiler execute (unprivileged spec chapter 34,
 * the RV64 opcode map; chapter 16 for RVC).
 *
 * Packed word: op (bits 0-7) | rd (8-13, x0 mapped to scratch 32) |
 * rs1 (14-18) | rs2 (19-23) | instruction length in bytes (24-26) |
 * rs3 (27-31, fused multiply-add only).
 */

/** Op numbers of decoded instructions. 0 marks an empty cache slot. */
export const enum Op {
  NONE = 0, ILLEGAL, FETCH_FAULT,
  LUI, AUIPC, JAL, JALR,
  BEQ, BNE, BLT, BGE, BLTU, BGEU,
  LB, LH, LW, LD, LBU, LHU, LWU,
  SB, SH, SW, SD,
  ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI,
  ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
  ADDIW, SLLIW, SRLIW, SRAIW,
  ADDW, SUBW, SLLW, SRLW, SRAW,
  MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU,
  MULW, DIVW, DIVUW, REMW, REMUW,
  FENCE, FENCE_I,
  ECALL, EBREAK, MRET, SRET, WFI, SFENCE_VMA,
  CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI,
  LR_W, SC_W, AMO_W, LR_D, SC_D, AMO_D,
  // F and D (unprivileged spec chapters 20, 21): memory ops have their own op;
  // the others carry the whole instruction in the immediate for fp-exec.ts.
  FLW, FLD, FSW, FSD, FP_ARITH, FP_FMA,
  /** Not an instruction: the decode cache's marker of a compiled block's entry (code-cache.ts); imm is the site. */
  BLOCK,
}

/** AMO funct5 values (unprivileged spec 8.4), kept in the immediate of AMO_W/AMO_D. */
export const enum Amo { ADD = 0, SWAP = 1, XOR = 4, OR = 8, AND = 12, MIN = 16, MAX = 20, MINU = 24, MAXU = 28 }

/**
 * Immediate of the last decode (the decoder returns the packed word). A
 * typed array, not a variable, so the interpreter loop reads it as an int32.
 */
export const decImm = new Int32Array(1);

/** Packs a decoded instruction (layout in the header) and leaves its immediate in decImm. */
export function pack(op: Op, rd: number, rs1: number, rs2: number, len: number, imm: number): number {
  decImm[0] = imm;
  return op | ((rd === 0 ? 32 : rd) << 8) | (rs1 << 14) | (rs2 << 19) | (len << 24);
}

function illegal(bits: number, len: number): number {
  return pack(Op.ILLEGAL, 0, 0, 0, len, bits);
}

/** Decodes a 32-bit instruction (unprivileged spec chapter 34, RV64 opcode map). */
export function decode32(i: number): number {
  const opc = i & 0x7f, rd = (i >>> 7) & 31, f3 = (i >>> 12) & 7, rs1 = (i >>> 15) & 31, rs2 = (i >>> 20) & 31;
  const f7 = i >>> 25;
  const immI = i >> 20;
  switch (opc) {
    case 0x37: return pack(Op.LUI, rd, 0, 0, 4, i & 0xfffff000);
    case 0x17: return pack(Op.AUIPC, rd, 0, 0, 4, i & 0xfffff000);
    case 0x6f: {
      const imm = ((i >> 31) << 20) | (((i >>> 12) & 255) << 12) | (((i >>> 20) & 1) << 11) | (((i >>> 21) & 1023) << 1);
      return pack(Op.JAL, rd, 0, 0, 4, imm);
    }
    case 0x67: return f3 === 0 ? pack(Op.JALR, rd, rs1, 0, 4, immI) : illegal(i, 4);
    case 0x63: {
      const imm = ((i >> 31) << 12) | (((i >>> 7) & 1) << 11) | (((i >>> 25) & 63) << 5) | (((i >>> 8) & 15) << 1);
      const ops = [Op.BEQ, Op.BNE, 0, 0, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];
      const op = ops[f3]!;
      return op === 0 ? illegal(i, 4) : pack(op, 0, rs1, rs2, 4, imm);
    }
    case 0x03: {
      const ops = [Op.LB, Op.LH, Op.LW, Op.LD, Op.LBU, Op.LHU, Op.LWU, 0];
      const op = ops[f3]!;
      return op === 0 ? illegal(i, 4) : pack(op, rd, rs1, 0, 4, immI);
    }
    case 0x23: {
      if (f3 > 3) return illegal(i, 4);
      const imm = ((i >> 25) << 5) | ((i >>> 7) & 31);
      return pack([Op.SB, Op.SH, Op.SW, Op.SD][f3]!, 0, rs1, rs2, 4, imm);
    }
    case 0x13: {
      const f6 = i >>> 26, sh = (i >>> 20) & 63;
      switch (f3) {
        case 0: return pack(Op.ADDI, rd, rs1, 0, 4, immI);
        case 2: return pack(Op.SLTI, rd, rs1, 0, 4, immI);
        case 3: return pack(Op.SLTIU, rd, rs1, 0, 4, immI);
        case 4: return pack(Op.XORI, rd, rs1, 0, 4, immI);
        case 6: return pack(Op.ORI, rd, rs1, 0, 4, immI);
        case 7: return pack(Op.ANDI, rd, rs1, 0, 4, immI);
        case 1: return f6 === 0 ? pack(Op.SLLI, rd, rs1, 0, 4, sh) : illegal(i, 4);
        default:
          if (f6 === 0) return pack(Op.SRLI, rd, rs1, 0, 4, sh);
          if (f6 === 0x10) return pack(Op.SRAI, rd, rs1, 0, 4, sh);
          return illegal(i, 4);
      }
    }
    case 0x1b: {
      const sh = (i >>> 20) & 31;
      if (f3 === 0) return pack(Op.ADDIW, rd, rs1, 0, 4, immI);
      if (f3 === 1 && f7 === 0) return pack(Op.SLLIW, rd, rs1, 0, 4, sh);
      if (f3 === 5 && f7 === 0) return pack(Op.SRLIW, rd, rs1, 0, 4, sh);
      if (f3 === 5 && f7 === 0x20) return pack(Op.SRAIW, rd, rs1, 0, 4, sh);
      return illegal(i, 4);
    }
    case 0x33: {
      let op = 0;
      if (f7 === 0) op = [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND][f3]!;
      else if (f7 === 0x20) op = f3 === 0 ? Op.SUB : f3 === 5 ? Op.SRA : 0;
      else if (f7 === 1) op = [Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU][f3]!;
      return op === 0 ? illegal(i, 4) : pack(op, rd, rs1, rs2, 4, 0);
    }
    case 0x3b: {
      let op = 0;
      if (f7 === 0) op = f3 === 0 ? Op.ADDW : f3 === 1 ? Op.SLLW : f3 === 5 ? Op.SRLW : 0;
      else if (f7 === 0x20) op = f3 === 0 ? Op.SUBW : f3 === 5 ? Op.SRAW : 0;
      else if (f7 === 1) op = [Op.MULW, 0, 0, 0, Op.DIVW, Op.DIVUW, Op.REMW, Op.REMUW][f3]!;
      return op === 0 ? illegal(i, 4) : pack(op, rd, rs1, rs2, 4, 0);
    }
    case 0x0f:
      // FENCE (any fm/pred/succ, including FENCE.TSO and PAUSE) and FENCE.I (Zifencei).
      if (f3 === 0) return pack(Op.FENCE, 0, 0, 0, 4, 0);
      if (f3 === 1) return pack(Op.FENCE_I, 0, 0, 0, 4, 0);
      return illegal(i, 4);
    case 0x73: {
      if (f3 === 0) {
        if (i === 0x00000073) return pack(Op.ECALL, 0, 0, 0, 4, 0);
        if (i === 0x00100073) return pack(Op.EBREAK, 0, 0, 0, 4, 0);
        if (i === 0x30200073) return pack(Op.MRET, 0, 0, 0, 4, 0);
        if (i === 0x10200073) return pack(Op.SRET, 0, 0, 0, 4, 0);
        if (i === 0x10500073) return pack(Op.WFI, 0, 0, 0, 4, 0);
        if (f7 === 0x09 && rd === 0) return pack(Op.SFENCE_VMA, 0, rs1, rs2, 4, i);
        return illegal(i, 4);
      }
      if (f3 === 4) return illegal(i, 4);
      const ops = [0, Op.CSRRW, Op.CSRRS, Op.CSRRC, 0, Op.CSRRWI, Op.CSRRSI, Op.CSRRCI];
      return pack(ops[f3]!, rd, rs1, 0, 4, i >>> 20);
    }
    case 0x2f: {
      const f5 = i >>> 27;
      if (f3 !== 2 && f3 !== 3) return illegal(i, 4);
      const d = f3 === 3;
      if (f5 === 2) return rs2 === 0 ? pack(d ? Op.LR_D : Op.LR_W, rd, rs1, 0, 4, 0) : illegal(i, 4);
      if (f5 === 3) return pack(d ? Op.SC_D : Op.SC_W, rd, rs1, rs2, 4, 0);
      switch (f5) {
        case Amo.ADD: case Amo.SWAP: case Amo.XOR: case Amo.OR: case Amo.AND:
        case Amo.MIN: case Amo.MAX: case Amo.MINU: case Amo.MAXU:
          // aq/rl need nothing here: harts run one at a time, so every access is sequentially consistent.
          return pack(d ? Op.AMO_D : Op.AMO_W, rd, rs1, rs2, 4, f5);
        default: return illegal(i, 4);
      }
    }
    // F and D loads and stores: the FP register goes in the rs2 field (f0 is a real register, not a sink).
    case 0x07:
      if (f3 === 2 || f3 === 3) return pack(f3 === 2 ? Op.FLW : Op.FLD, 0, rs1, rd, 4, immI);
      return illegal(i, 4);
    case 0x27: {
      if (f3 !== 2 && f3 !== 3) return illegal(i, 4);
      const imm = ((i >> 25) << 5) | ((i >>> 7) & 31);
      return pack(f3 === 2 ? Op.FSW : Op.FSD, 0, rs1, rs2, 4, imm);
    }
    // Fused multiply-add (fmt 0 = S, 1 = D; 2 = H and 3 = Q are not implemented).
    case 0x43: case 0x47: case 0x4b: case 0x4f:
      return ((i >>> 25) & 3) < 2 ? pack(Op.FP_FMA, 0, 0, 0, 4, i) : illegal(i, 4);
    case 0x53: return pack(Op.FP_ARITH, 0, 0, 0, 4, i);
    default: return illegal(i, 4);
  }
}

/** Decodes a 16-bit RVC instruction into its 32-bit equivalent op (unprivileged spec chapter 16, RV64C). */
export function decode16(c: number): number {
  const q = c & 3, f3 = c >>> 13;
  const rdp = 8 + ((c >>> 2) & 7), rs1p = 8 + ((c >>> 7) & 7);
  const rd = (c >>> 7) & 31, rs2 = (c >>> 2) & 31;
  const imm6 = (((c >>> 12) & 1) ? -32 : 0) | ((c >>> 2) & 31);
  if (q === 0) {
    switch (f3) {
      case 0: {
        // C.ADDI4SPN; nzuimm == 0 (including the all-zero instruction) is reserved.
        const u = (((c >>> 11) & 3) << 4) | (((c >>> 7) & 15) << 6) | (((c >>> 6) & 1) << 2) | (((c >>> 5) & 1) << 3);
        return u === 0 ? illegal(c, 2) : pack(Op.ADDI, rdp, 2, 0, 2, u);
      }
      case 2: return pack(Op.LW, rdp, rs1p, 0, 2, (((c >>> 10) & 7) << 3) | (((c >>> 6) & 1) << 2) | (((c >>> 5) & 1) << 6));
      case 3: return pack(Op.LD, rdp, rs1p, 0, 2, (((c >>> 10) & 7) << 3) | (((c >>> 5) & 3) << 6));
      case 6: return pack(Op.SW, 0, rs1p, rdp, 2, (((c >>> 10) & 7) << 3) | (((c >>> 6) & 1) << 2) | (((c >>> 5) & 1) << 6));
      case 7: return pack(Op.SD, 0, rs1p, rdp, 2, (((c >>> 10) & 7) << 3) | (((c >>> 5) & 3) << 6));
      case 1: return pack(Op.FLD, 0, rs1p, rdp, 2, (((c >>> 10) & 7) << 3) | (((c >>> 5) & 3) << 6)); // C.FLD
      case 5: return pack(Op.FSD, 0, rs1p, rdp, 2, (((c >>> 10) & 7) << 3) | (((c >>> 5) & 3) << 6)); // C.FSD
      default: return illegal(c, 2); // reserved
    }
  }
  if (q === 1) {
    switch (f3) {
      case 0: return pack(Op.ADDI, rd, rd, 0, 2, imm6); // C.ADDI (C.NOP when rd = 0)
      case 1: return rd === 0 ? illegal(c, 2) : pack(Op.ADDIW, rd, rd, 0, 2, imm6); // C.ADDIW
      case 2: return pack(Op.ADDI, rd, 0, 0, 2, imm6); // C.LI
      case 3: {
        if (rd === 2) {
          const n = (((c >>> 12) & 1) ? -512 : 0) | (((c >>> 6) & 1) << 4) | (((c >>> 5) & 1) << 6) |
            (((c >>> 3) & 3) << 7) | (((c >>> 2) & 1) << 5);
          return n === 0 ? illegal(c, 2) : pack(Op.ADDI, 2, 2, 0, 2, n); // C.ADDI16SP
        }
        return imm6 === 0 ? illegal(c, 2) : pack(Op.LUI, rd, 0, 0, 2, imm6 << 12); // C.LUI
      }
      case 4: {
        const sh = (((c >>> 12) & 1) << 5) | ((c >>> 2) & 31);
        switch ((c >>> 10) & 3) {
          case 0: return pack(Op.SRLI, rs1p, rs1p, 0, 2, sh);
          case 1: return pack(Op.SRAI, rs1p, rs1p, 0, 2, sh);
          case 2: return pack(Op.ANDI, rs1p, rs1p, 0, 2, imm6);
          default: {
            const f = (c >>> 5) & 3;
            if (((c >>> 12) & 1) === 0) return pack([Op.SUB, Op.XOR, Op.OR, Op.AND][f]!, rs1p, rs1p, rdp, 2, 0);
            if (f === 0) return pack(Op.SUBW, rs1p, rs1p, rdp, 2, 0);
            if (f === 1) return pack(Op.ADDW, rs1p, rs1p, rdp, 2, 0);
            return illegal(c, 2);
          }
        }
      }
      case 5: {
        const j = (((c >>> 12) & 1) ? -2048 : 0) | (((c >>> 11) & 1) << 4) | (((c >>> 9) & 3) << 8) |
          (((c >>> 8) & 1) << 10) | (((c >>> 7) & 1) << 6) | (((c >>> 6) & 1) << 7) | (((c >>> 3) & 7) << 1) |
          (((c >>> 2) & 1) << 5);
        return pack(Op.JAL, 0, 0, 0, 2, j); // C.J
      }
      default: {
        const b = (((c >>> 12) & 1) ? -256 : 0) | (((c >>> 10) & 3) << 3) | (((c >>> 5) & 3) << 6) |
          (((c >>> 3) & 3) << 1) | (((c >>> 2) & 1) << 5);
        return pack(f3 === 6 ? Op.BEQ : Op.BNE, 0, rs1p, 0, 2, b); // C.BEQZ / C.BNEZ
      }
    }
  }
  if (q === 2) {
    switch (f3) {
      case 0: return pack(Op.SLLI, rd, rd, 0, 2, (((c >>> 12) & 1) << 5) | ((c >>> 2) & 31)); // C.SLLI
      case 2: // C.LWSP; rd = 0 is reserved
        return rd === 0 ? illegal(c, 2)
          : pack(Op.LW, rd, 2, 0, 2, (((c >>> 12) & 1) << 5) | (((c >>> 4) & 7) << 2) | (((c >>> 2) & 3) << 6));
      case 3: // C.LDSP; rd = 0 is reserved
        return rd === 0 ? illegal(c, 2)
          : pack(Op.LD, rd, 2, 0, 2, (((c >>> 12) & 1) << 5) | (((c >>> 5) & 3) << 3) | (((c >>> 2) & 7) << 6));
      case 4:
        if (((c >>> 12) & 1) === 0) {
          if (rs2 === 0) return rd === 0 ? illegal(c, 2) : pack(Op.JALR, 0, rd, 0, 2, 0); // C.JR
          return pack(Op.ADD, rd, 0, rs2, 2, 0); // C.MV
        }
        if (rs2 === 0) {
          if (rd === 0) return pack(Op.EBREAK, 0, 0, 0, 2, 0); // C.EBREAK
          return pack(Op.JALR, 1, rd, 0, 2, 0); // C.JALR
        }
        return pack(Op.ADD, rd, rd, rs2, 2, 0); // C.ADD
      case 6: return pack(Op.SW, 0, 2, rs2, 2, (((c >>> 9) & 15) << 2) | (((c >>> 7) & 3) << 6)); // C.SWSP
      case 7: return pack(Op.SD, 0, 2, rs2, 2, (((c >>> 10) & 7) << 3) | (((c >>> 7) & 7) << 6)); // C.SDSP
      case 1: // C.FLDSP
        return pack(Op.FLD, 0, 2, rd, 2, (((c >>> 12) & 1) << 5) | (((c >>> 5) & 3) << 3) | (((c >>> 2) & 7) << 6));
      case 5: return pack(Op.FSD, 0, 2, rs2, 2, (((c >>> 10) & 7) << 3) | (((c >>> 7) & 7) << 6)); // C.FSDSP
      default: return illegal(c, 2);
    }
  }
  return illegal(c, 2);
}

