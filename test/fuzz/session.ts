/**
 * One fuzzing session: a fresh VM with the program's own plugins, a command
 * log (queries logged too) and a sandbox that keeps host files inside the
 * session's directory and refuses new sockets, reached through a real QMP
 * socket, a real HMP socket, the command line's expansion and the config
 * loader. Each input is checked as it is answered, the whole session at the
 * end:
 * - the process answers: every input is answered within the deadline and no
 *   exception escapes (a hang or a crash otherwise); an event loop frozen
 *   for a minute ends the process with the input that froze it (watchdog.ts);
 * - replies are valid QMP (shape, error class, a one-line description that
 *   is not a JavaScript engine message), HMP errors are one line;
 * - failed commands change nothing: when every command of an input failed,
 *   the state hash is unchanged, and in the log every failed entry and every
 *   query carries the state hash of the entry before it;
 * - the log verifies and replays, in a fresh kernel, to the live state hash.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKernel, ERROR_CLASSES, type Kernel } from '../../kernel/index.js';
import { replayLog } from '../../kernel/log/replay.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { verifyLog } from '../../kernel/log/verify.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { expandArgv, kernelEnv, type Step } from '../../transports/cli/index.js';
import { loadConfigText } from '../../transports/config/index.js';
import { HMP_PROMPT, openHmp } from '../../transports/hmp/index.js';
import { JsonStreamParser, openQmp } from '../../transports/qmp/index.js';
import { inDir, type FuzzInput } from './inputs.js';
import { startWatchdog } from './watchdog.js';

/** What went wrong, with the input that did it. */
export interface Finding {
  readonly kind: 'crash' | 'hang' | 'invalid-reply' | 'state-changed' | 'log' | 'replay';
  readonly detail: string;
  readonly input?: FuzzInput;
}

/** Counts and findings of one session. */
export interface SessionResult {
  readonly inputs: number;
  /** QMP replies and HMP answers received, CLI and config feeds run. */
  readonly answers: number;
  /** Change entries the log holds as applied, for the campaign's figures. */
  readonly appliedChanges: number;
  readonly findings: Finding[];
}

/** How long one input may take to be answered before it counts as a hang (generous: the machine is shared). */
export const ANSWER_DEADLINE_MS = 20_000;

/** How long the event loop may stand still before the watchdog ends the process (test/fuzz/watchdog.ts). */
const FROZEN_MS = 60_000;

/** Engine messages that mean a handler or parser failed on its own code, not with a sentence for the user. */
const INTERNAL_ERROR =
  /Cannot read propert|is not a function|is not iterable|is not defined|Maximum call stack|Cannot convert|Invalid (typed )?array length|Invalid string length|Array buffer allocation|out of memory|undefined is not|Cannot destructure|JSON\.parse|Unexpected token|\[object Object\]/;

const ERROR_CLASS_NAMES = new Set(Object.keys(ERROR_CLASSES));

/** Waits for `until` to hold, on event-loop turns, failing after `ms`. */
async function waitFor(until: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!until()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 1));
  }
  return true;
}

/** A raw QMP connection: every line received, replies and events apart. */
class QmpLine {
  readonly replies: string[] = [];
  readonly events: string[] = [];
  closed = false;
  private buf = '';
  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n')) {
        const line = this.buf.slice(0, i + 1);
        this.buf = this.buf.slice(i + 1);
        (line.startsWith('{"timestamp"') ? this.events : this.replies).push(line);
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }
  static async open(path: string): Promise<QmpLine> {
    const s = await new Promise<net.Socket>((resolve, reject) => {
      const c = net.connect(path, () => resolve(c));
      c.once('error', reject);
    });
    const q = new QmpLine(s);
    await waitFor(() => q.replies.length >= 1, ANSWER_DEADLINE_MS);
    q.replies.length = 0;
    q.socket.write('{"execute":"qmp_capabilities"}');
    await waitFor(() => q.replies.length >= 1, ANSWER_DEADLINE_MS);
    q.replies.length = 0;
    return q;
  }
}

/** A human at the HMP socket: types a line, reads up to the next prompt. */
class HmpLine {
  closed = false;
  private buf = '';
  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (this.buf += d));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }
  static async open(path: string): Promise<HmpLine> {
    const s = await new Promise<net.Socket>((resolve, reject) => {
      const c = net.connect(path, () => resolve(c));
      c.once('error', reject);
    });
    const h = new HmpLine(s);
    await h.answer();
    return h;
  }
  /** The text before the next prompt, or undefined if none came (closed, or the deadline passed). */
  async answer(): Promise<string | undefined> {
    const ok = await waitFor(() => this.buf.includes(HMP_PROMPT) || this.closed, ANSWER_DEADLINE_MS);
    const i = this.buf.indexOf(HMP_PROMPT);
    if (!ok || i < 0) return undefined;
    const text = this.buf.slice(0, i);
    this.buf = this.buf.slice(i + HMP_PROMPT.length);
    return text.replace(/\n$/, '');
  }
}

/** Why a QMP line is not a valid reply or event, or undefined. */
export function invalidQmpLine(line: string): string | undefined {
  if (!line.endsWith('\r\n')) return 'not terminated by CRLF';
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not an object';
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if ('event' in o) {
    if (typeof o.event !== 'string' || !keys.every((k) => ['event', 'data', 'timestamp'].includes(k))) return 'malformed event';
    const ts = o.timestamp as { seconds?: unknown; microseconds?: unknown } | undefined;
    return typeof ts?.seconds === 'number' && typeof ts.microseconds === 'number' ? undefined : 'event without a timestamp';
  }
  if (!keys.every((k) => ['return', 'error', 'id'].includes(k)) || ('return' in o) === ('error' in o)) return `members ${keys.join(', ')}`;
  if ('error' in o) {
    const e = o.error as { class?: unknown; desc?: unknown };
    if (!e || typeof e !== 'object' || Object.keys(e).length !== 2) return 'malformed error';
    if (typeof e.class !== 'string' || !ERROR_CLASS_NAMES.has(e.class)) return `unknown error class ${String(e.class)}`;
    if (typeof e.desc !== 'string' || !e.desc || e.desc.includes('\n')) return 'error description empty or on several lines';
    if (INTERNAL_ERROR.test(e.desc)) return `internal error leaked: ${e.desc}`;
  }
  return undefined;
}

/** Replies the monitor owes for `text`: one per value or parse error, as the same parser counts them; and whether it ends between values. */
function expectedReplies(text: string): { count: number; idle: boolean } {
  let count = 0;
  const parser = new JsonStreamParser({ value: () => count++, error: () => count++ });
  parser.feed(text);
  return { count, idle: parser.idle };
}

/** Closes what the VM opened on the host: file descriptors of block nodes, chardevs, entropy sources. */
async function closeHostResources(kernel: Kernel): Promise<void> {
  for (const root of ['/chardevs', '/blockdevs', '/objects']) {
    for (const obj of kernel.objects.has(root) ? kernel.objects.children(root) : []) {
      await Promise.resolve((obj.runtime as { close?: () => unknown } | undefined)?.close?.()).catch(() => undefined);
    }
  }
}

/** Runs `inputs` against a fresh VM and checks every answer and, at the end, the log. */
export async function runSession(inputs: readonly FuzzInput[]): Promise<SessionResult> {
  const dir = mkdtempSync(join(tmpdir(), 'vmledger-fuzz-'));
  const findings: Finding[] = [];
  let current: FuzzInput | undefined;
  const onCrash = (e: unknown) => findings.push({ kind: 'crash', detail: `uncaught: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, input: current });
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const watchdog = startWatchdog(FROZEN_MS);
  let answers = 0;
  let appliedChanges = 0;
  const logPath = join(dir, 'vm.db');
  let kernel: Kernel | undefined;
  try {
    writeFileSync(join(dir, 'disk.img'), new Uint8Array(64 << 10));
    writeFileSync(join(dir, 'inc.yaml'), '- execute: set-name\n  arguments: { name: included }\n');
    mkdirSync(join(dir, 'sub'));
    symlinkSync('/dev/urandom', join(dir, 'urandom'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);

    kernel = await createKernel({ plugins: [...DEFAULT_PLUGINS], log: SqliteLogStore.open(logPath), logQueries: true });
    const k = kernel;
    const qmpEndpoint = await openQmp(`unix:${join(dir, 'q.sock')}`, k.host);
    const hmpEndpoint = await openHmp(`unix:${join(dir, 'h.sock')}`, k.host);
    await k.execute('sandbox-set', { enable: true, 'allow-paths': [dir], sockets: 'deny', spawn: 'deny' }, { transport: 'fuzz' });
    k.setConfigured();
    let qmp = await QmpLine.open(join(dir, 'q.sock'));
    let hmp = await HmpLine.open(join(dir, 'h.sock'));
    const env = () => kernelEnv(k, dir);

    /** Runs steps in order, stopping at the first failure; true when every step failed (nothing may have changed then). */
    const feed = async (steps: readonly Step[]): Promise<boolean> => {
      let ok = 0;
      for (const step of steps) {
        try {
          await k.execute(step.execute, step.arguments, step.origin);
          ok++;
        } catch (e) {
          const desc = (e as { desc?: string }).desc ?? String(e);
          if (INTERNAL_ERROR.test(desc) || !(e as { errorClass?: string }).errorClass) findings.push({ kind: 'invalid-reply', detail: `${step.execute}: ${desc}`, input: current });
          break;
        }
      }
      return ok === 0;
    };
    /** A transport that refused the input itself must say why in a sentence, never with an engine message. */
    const refused = (e: unknown): void => {
      const message = e instanceof Error ? e.message : String(e);
      if (!(e instanceof Error) || INTERNAL_ERROR.test(message) || ['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError'].includes(e.name))
        findings.push({ kind: 'invalid-reply', detail: `refused with ${e instanceof Error ? e.name : typeof e}: ${message}`, input: current });
    };

    for (const raw of inputs) {
      const input = inDir(raw, dir);
      current = input;
      watchdog.note(JSON.stringify(input));
      const before = k.stateHash();
      let allFailed = true;
      switch (input.via) {
        case 'qmp': {
          if (qmp.closed) qmp = await QmpLine.open(join(dir, 'q.sock'));
          const expected = expectedReplies(input.text);
          qmp.socket.write(input.text);
          const answered = await waitFor(() => qmp.replies.length >= expected.count || qmp.closed, ANSWER_DEADLINE_MS);
          if (!answered) findings.push({ kind: 'hang', detail: `${qmp.replies.length} of ${expected.count} replies`, input });
          else if (qmp.replies.length < expected.count) findings.push({ kind: 'crash', detail: 'the QMP connection closed', input });
          for (const line of [...qmp.replies.splice(0), ...qmp.events.splice(0)]) {
            const why = invalidQmpLine(line);
            if (why) findings.push({ kind: 'invalid-reply', detail: `${why}: ${line.slice(0, 300)}`, input });
            else if (line.includes('"return"')) allFailed = false;
          }
          answers += expected.count;
          // A value left half-read would swallow the next input: start that one on a fresh connection.
          if (!expected.idle) {
            qmp.socket.destroy();
            qmp = await QmpLine.open(join(dir, 'q.sock'));
          }
          break;
        }
        case 'hmp': {
          if (hmp.closed) hmp = await HmpLine.open(join(dir, 'h.sock'));
          hmp.socket.write(`${input.line}\n`);
          const text = await hmp.answer();
          if (text === undefined && !hmp.closed) findings.push({ kind: 'hang', detail: 'no prompt', input });
          else if (text !== undefined) {
            answers++;
            if (INTERNAL_ERROR.test(text)) findings.push({ kind: 'invalid-reply', detail: `internal error leaked: ${text.slice(0, 300)}`, input });
            const failed = text.startsWith('Error:') || text.startsWith('unknown command');
            if (failed && text.includes('\n')) findings.push({ kind: 'invalid-reply', detail: `an error on several lines: ${text.slice(0, 300)}`, input });
            allFailed = failed;
          }
          break;
        }
        case 'cli': {
          try {
            const expansion = expandArgv(['-S', ...input.argv], env());
            allFailed = await feed(expansion.steps);
          } catch (e) {
            refused(e);
          }
          answers++;
          break;
        }
        case 'config': {
          try {
            const steps = loadConfigText(input.text, input.syntax === 'yaml' ? 'fuzz.yaml' : 'fuzz.json5', {
              cwd: dir,
              types: k.types,
              argsSchema: (c) => k.registry.find(c)?.args,
            });
            allFailed = await feed(steps);
          } catch (e) {
            refused(e);
          }
          answers++;
          break;
        }
      }
      if (allFailed && k.stateHash() !== before) findings.push({ kind: 'state-changed', detail: 'every command of the input failed, yet the state hash changed', input });
    }
    current = undefined;

    qmp.socket.destroy();
    hmp.socket.destroy();
    // A guest the inputs started keeps running in slices on this event loop: stop it as the host would.
    k.internalContext({ transport: 'fuzz' }).guest.shutdown('host-signal', 0);
    const live = k.stateHash();
    await qmpEndpoint.close();
    await hmpEndpoint.close();
    await closeHostResources(k);
    await k.close();
    kernel = undefined;

    const verified = verifyLog(logPath);
    if (!verified.ok) findings.push({ kind: 'log', detail: `verify: ${JSON.stringify(verified.problem)}` });
    const store = SqliteLogStore.open(logPath, { readonly: true });
    try {
      let previous: string | undefined;
      for (const e of store.entries()) {
        if (previous !== undefined && (!e.applied || e.kind === 'query') && e.stateHash !== previous)
          findings.push({ kind: 'state-changed', detail: `log entry ${e.seq} (${e.command}, ${e.applied ? 'query' : 'failed'}) changed the state hash` });
        if (e.applied && e.kind === 'change') appliedChanges++;
        previous = e.stateHash;
      }
      const target = await createKernel({ plugins: [...DEFAULT_PLUGINS], mode: 'replay' });
      const result = await replayLog(store, target);
      if (!result.ok) findings.push({ kind: 'replay', detail: `replay: ${JSON.stringify(result.mismatch)}` });
      else if (target.stateHash() !== live) findings.push({ kind: 'replay', detail: 'the replayed state hash differs from the live one' });
      await target.close();
    } finally {
      store.close();
    }
  } catch (e) {
    findings.push({ kind: 'crash', detail: `the harness failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, input: current });
  } finally {
    await kernel?.close().catch(() => undefined);
    watchdog.stop();
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    rmSync(dir, { recursive: true, force: true });
  }
  return { inputs: inputs.length, answers, appliedChanges, findings };
}
