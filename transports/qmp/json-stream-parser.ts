/**
 * A streaming JSON parser shaped like QEMU's json-lexer/json-streamer:
 * input arrives in arbitrary chunks, a value may span lines and several may
 * share one, and a malformed value produces one error and is skipped up to
 * the point where its brackets balance again, so the stream recovers at the
 * next value. Limits on nesting depth and message size turn hostile input
 * into an error instead of memory or stack exhaustion.
 *
 * Error descriptions are QEMU's (qobject/json-parser.c, json-streamer.c):
 * `JSON parse error, expecting value`, `JSON parse error, stray '@'`,
 * `JSON nesting depth limit exceeded`, `JSON token size limit exceeded`.
 *
 * Why not JSON.parse per line: QMP is not line-framed, and QEMU's lexer also
 * accepts single-quoted strings, which management tools do send.
 *
 * A key that names a property every object inherits (`__proto__`,
 * `constructor`, ...: kernel/plain-data.ts) is an error for its value, like
 * any other malformed input: `JSON parse error, key '__proto__' is reserved`.
 */
import { MAX_NESTING, isReservedKey, reservedKeyProblem } from '../../kernel/plain-data.js';
import { escapeControls } from '../../kernel/errors.js';

/** Limits a parser enforces per top-level value. */
export interface JsonStreamLimits {
  /** Containers open at once; QEMU's MAX_NESTING is 1024. */
  readonly maxDepth: number;
  /** Characters in one top-level value; QEMU allows 64 MiB of tokens, we default lower. */
  readonly maxMessageChars: number;
}

/** Defaults: QEMU's depth limit, and a message size no real command comes near. */
export const DEFAULT_JSON_LIMITS: JsonStreamLimits = { maxDepth: MAX_NESTING, maxMessageChars: 8 << 20 };

/** What the parser hands back: one complete value, or one error description per malformed value. */
export interface JsonStreamSink {
  value(v: unknown): void;
  error(desc: string): void;
}

type Container = { kind: 'object'; obj: Record<string, unknown>; key: string | undefined; state: ObjState } | { kind: 'array'; arr: unknown[]; state: ArrState };
/** Object states: after `{` (key or `}`), after `,` (key), after key (`:`), after `:` (value), after value (`,` or `}`). */
type ObjState = 'open' | 'key' | 'colon' | 'value' | 'sep';
/** Array states: after `[` (value or `]`), after `,` (value), after value (`,` or `]`). */
type ArrState = 'open' | 'value' | 'sep';

const enum Lex {
  Start,
  Str,
  StrEscape,
  StrUnicode,
  Num,
  Keyword,
  /** After a lexical error: skip to a structural or control character, as QEMU's IN_RECOVERY does. */
  Skip,
}

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function isStructural(c: number): boolean {
  return c === 0x7b || c === 0x7d || c === 0x5b || c === 0x5d || c === 0x3a || c === 0x2c;
}
function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}
function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

/**
 * A stray token as an error names it: control characters escaped and long
 * text cut, so the description stays one short line (an unterminated string
 * can hold a newline, or megabytes).
 */
function shown(text: string): string {
  const cut = text.length > 64 ? `${text.slice(0, 64)}...` : text;
  return escapeControls(cut);
}

/** Incremental QMP-style JSON parser: `feed` chunks, receive values and errors in input order. */
export class JsonStreamParser {
  private lex = Lex.Start;
  private quote = 0;
  /** Text of the current string, number or keyword token. */
  private tok = '';
  private unicode = '';
  private readonly stack: Container[] = [];
  /** Set after an error inside a value: tokens are only counted until the brackets balance. */
  private recovering = false;
  /** Bracket depth while recovering (the value stack is discarded then). */
  private skipDepth = 0;
  private size = 0;

  constructor(
    private readonly sink: JsonStreamSink,
    private readonly limits: JsonStreamLimits = DEFAULT_JSON_LIMITS,
  ) {}

  /** True when no value is partly read: the stream is between messages. */
  get idle(): boolean {
    return this.stack.length === 0 && !this.recovering && this.lex === Lex.Start;
  }

  /** Consumes a chunk of text; complete values and errors are delivered synchronously. */
  feed(chunk: string): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (this.stack.length > 0 || this.recovering || this.lex !== Lex.Start) {
        if (++this.size > this.limits.maxMessageChars && !this.recovering) {
          this.fail('JSON token size limit exceeded');
          continue; // re-examine this character in recovery mode
        }
      }
      switch (this.lex) {
        case Lex.Start:
          i = this.start(chunk, i, c);
          break;
        case Lex.Str: {
          // Take the longest run without a quote, backslash or control character in one slice.
          let j = i;
          while (j < n) {
            const d = chunk.charCodeAt(j);
            if (d === this.quote || d === 0x5c || d < 0x20) break;
            j++;
          }
          if (j > i) {
            if (!this.recovering) this.tok += chunk.slice(i, j);
            this.size += j - i - 1;
            i = j;
            break;
          }
          if (c === this.quote) {
            this.lex = Lex.Start;
            i++;
            this.scalar(this.tok);
          } else if (c === 0x5c) {
            this.lex = Lex.StrEscape;
            i++;
          } else {
            this.lexError(`${String.fromCharCode(this.quote)}${this.tok}`);
          }
          break;
        }
        case Lex.StrEscape: {
          const ch = chunk[i]!;
          if (ch === 'u') {
            this.lex = Lex.StrUnicode;
            this.unicode = '';
          } else if (ESCAPES[ch] !== undefined) {
            if (!this.recovering) this.tok += ESCAPES[ch];
            this.lex = Lex.Str;
          } else {
            this.lexError(`${String.fromCharCode(this.quote)}${this.tok}\\${ch}`);
            break;
          }
          i++;
          break;
        }
        case Lex.StrUnicode: {
          const ch = chunk[i]!;
          if (!/[0-9a-fA-F]/.test(ch)) {
            this.lexError(`${String.fromCharCode(this.quote)}${this.tok}\\u${this.unicode}${ch}`);
            break;
          }
          this.unicode += ch;
          i++;
          if (this.unicode.length === 4) {
            if (!this.recovering) this.tok += String.fromCharCode(parseInt(this.unicode, 16));
            this.lex = Lex.Str;
          }
          break;
        }
        case Lex.Num:
          if (isNumberChar(c)) {
            if (!this.recovering || this.tok.length < 64) this.tok += chunk[i];
            i++;
          } else {
            this.lex = Lex.Start;
            this.endNumber();
          }
          break;
        case Lex.Keyword:
          if (isLower(c)) {
            if (!this.recovering || this.tok.length < 64) this.tok += chunk[i];
            i++;
          } else {
            this.lex = Lex.Start;
            this.endKeyword();
          }
          break;
        case Lex.Skip:
          if (isStructural(c) || (c < 0x20 && c !== 0x09)) this.lex = Lex.Start;
          else i++;
          break;
      }
    }
  }

  /** Ends a number or keyword the input stopped on (QEMU flushes at end of input too). */
  flush(): void {
    if (this.lex === Lex.Num) {
      this.lex = Lex.Start;
      this.endNumber();
    } else if (this.lex === Lex.Keyword) {
      this.lex = Lex.Start;
      this.endKeyword();
    }
  }

  /** Drops any partial value, as when a connection is reset. */
  reset(): void {
    this.lex = Lex.Start;
    this.tok = '';
    this.stack.length = 0;
    this.recovering = false;
    this.skipDepth = 0;
    this.size = 0;
  }

  private start(chunk: string, i: number, c: number): number {
    if (isWhitespace(c)) return i + 1;
    if (this.stack.length === 0 && !this.recovering) this.size = 1;
    switch (c) {
      case 0x7b: // {
      case 0x5b: // [
        this.open(c === 0x7b);
        return i + 1;
      case 0x7d: // }
      case 0x5d: // ]
        this.close(c === 0x7d);
        return i + 1;
      case 0x3a: // :
        this.colon();
        return i + 1;
      case 0x2c: // ,
        this.comma();
        return i + 1;
      case 0x22: // "
      case 0x27: // '
        this.lex = Lex.Str;
        this.quote = c;
        this.tok = '';
        return i + 1;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.lex = Lex.Num;
      this.tok = chunk[i]!;
      return i + 1;
    }
    if (isLower(c)) {
      this.lex = Lex.Keyword;
      this.tok = chunk[i]!;
      return i + 1;
    }
    this.lexError(chunk[i]!);
    return i + 1;
  }

  private top(): Container | undefined {
    return this.stack[this.stack.length - 1];
  }

  /** Whether the innermost container (or the top level) may take a value now. */
  private expectsValue(): boolean {
    const top = this.top();
    if (!top) return true;
    if (top.kind === 'array') return top.state === 'open' || top.state === 'value';
    return top.state === 'value';
  }

  private open(isObject: boolean): void {
    if (this.recovering) {
      this.skipDepth++;
      return;
    }
    if (!this.checkValuePosition()) {
      this.skipDepth++;
      return;
    }
    if (this.stack.length + 1 > this.limits.maxDepth) {
      this.fail('JSON nesting depth limit exceeded');
      this.skipDepth++;
      return;
    }
    this.stack.push(isObject ? { kind: 'object', obj: {}, key: undefined, state: 'open' } : { kind: 'array', arr: [], state: 'open' });
  }

  private close(isObject: boolean): void {
    if (this.recovering) {
      if (--this.skipDepth <= 0) this.endRecovery();
      return;
    }
    const top = this.top();
    const ok =
      top !== undefined &&
      (isObject ? top.kind === 'object' && (top.state === 'open' || top.state === 'sep') : top.kind === 'array' && (top.state === 'open' || top.state === 'sep'));
    if (!ok) {
      if (top?.kind === 'object' && top.state === 'colon') this.fail('JSON parse error, missing : in object pair');
      else if (top?.kind === 'object' && top.state === 'key') this.fail('JSON parse error, expecting value');
      else this.fail(top && !this.expectsValue() ? `JSON parse error, expected separator in ${top.kind === 'object' ? 'dict' : 'list'}` : 'JSON parse error, expecting value');
      if (--this.skipDepth <= 0) this.endRecovery();
      return;
    }
    this.stack.pop();
    this.scalarOrContainer(top.kind === 'object' ? top.obj : top.arr);
  }

  private colon(): void {
    if (this.recovering) return;
    const top = this.top();
    if (top?.kind === 'object' && top.state === 'colon') top.state = 'value';
    else this.failHere();
  }

  private comma(): void {
    if (this.recovering) return;
    const top = this.top();
    if (top && top.state === 'sep') top.state = top.kind === 'object' ? 'key' : 'value';
    else this.failHere();
  }

  /** A structural token where it does not belong: name what was expected. */
  private failHere(): void {
    const top = this.top();
    if (top?.kind === 'object' && top.state === 'colon') this.fail('JSON parse error, missing : in object pair');
    else this.fail('JSON parse error, expecting value');
    if (this.skipDepth <= 0) this.endRecovery();
  }

  private checkValuePosition(): boolean {
    const top = this.top();
    if (!top) return true;
    if (top.kind === 'object') {
      if (top.state === 'open' || top.state === 'key') {
        this.fail('JSON parse error, key is not a string in object');
        return false;
      }
      if (top.state === 'colon') {
        this.fail('JSON parse error, missing : in object pair');
        return false;
      }
      if (top.state === 'sep') {
        this.fail('JSON parse error, expected separator in dict');
        return false;
      }
      return true;
    }
    if (top.state === 'sep') {
      this.fail('JSON parse error, expected separator in list');
      return false;
    }
    return true;
  }

  private scalar(text: string): void {
    if (this.recovering) {
      if (this.skipDepth <= 0) this.endRecovery();
      return;
    }
    const top = this.top();
    // A string in key position is a key, not a value.
    if (top?.kind === 'object' && (top.state === 'open' || top.state === 'key')) {
      if (isReservedKey(text)) {
        this.fail(`JSON parse error, ${reservedKeyProblem(text)}`);
        return;
      }
      top.key = text;
      top.state = 'colon';
      this.tok = '';
      return;
    }
    this.tok = '';
    this.scalarOrContainer(text);
  }

  private endNumber(): void {
    const text = this.tok;
    this.tok = '';
    if (!NUMBER.test(text)) {
      this.lexError(text, false);
      return;
    }
    this.scalarValue(Number(text));
  }

  private endKeyword(): void {
    const text = this.tok;
    this.tok = '';
    if (this.recovering) {
      if (this.skipDepth <= 0) this.endRecovery();
      return;
    }
    if (text === 'true') this.scalarValue(true);
    else if (text === 'false') this.scalarValue(false);
    else if (text === 'null') this.scalarValue(null);
    else {
      this.fail(`JSON parse error, invalid keyword '${text}'`);
      if (this.skipDepth <= 0) this.endRecovery();
    }
  }

  private scalarValue(v: unknown): void {
    if (this.recovering) {
      if (this.skipDepth <= 0) this.endRecovery();
      return;
    }
    if (!this.checkValuePosition()) {
      if (this.skipDepth <= 0) this.endRecovery();
      return;
    }
    this.scalarOrContainer(v);
  }

  /** Places a finished value in its container, or emits it when it is top-level. */
  private scalarOrContainer(v: unknown): void {
    const top = this.top();
    if (!top) {
      this.size = 0;
      this.sink.value(v);
      return;
    }
    if (top.kind === 'array') {
      if (top.state === 'sep') {
        this.fail('JSON parse error, expected separator in list');
        return;
      }
      top.arr.push(v);
      top.state = 'sep';
      return;
    }
    if (top.state !== 'value') {
      this.fail(top.state === 'colon' ? 'JSON parse error, missing : in object pair' : top.state === 'sep' ? 'JSON parse error, expected separator in dict' : 'JSON parse error, key is not a string in object');
      return;
    }
    top.obj[top.key!] = v;
    top.key = undefined;
    top.state = 'sep';
  }

  /** A lexical error: QEMU reports the offending text and skips to a resynchronization point. */
  private lexError(text: string, skip = true): void {
    this.tok = '';
    if (skip) this.lex = Lex.Skip;
    if (this.recovering) return;
    this.fail(`JSON parse error, stray '${shown(text)}'`);
    if (this.skipDepth <= 0) this.endRecovery();
  }

  /** Reports one error for the current value and skips the rest of it. */
  private fail(desc: string): void {
    if (this.recovering) return;
    this.recovering = true;
    this.skipDepth = this.stack.length;
    this.stack.length = 0;
    this.tok = '';
    this.sink.error(desc);
  }

  private endRecovery(): void {
    this.recovering = false;
    this.skipDepth = 0;
    this.size = 0;
  }
}
