/**
 * One human monitor session: reads lines (with editing and history when the
 * input is a terminal), runs them one at a time through the command table,
 * prints the answer or one `Error: ...` line, then the prompt again.
 */
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Origin } from '../../kernel/origin.js';
import type { TransportHost } from '../../kernel/transport.js';
import { HmpUsageError, findHmpCommand, type HmpContext } from './command-table.js';

/** The prompt, as QEMU's `(qemu) `. */
export const HMP_PROMPT = '(vmledger) ';

/** How a session is wired. */
export interface HmpSessionOptions {
  readonly host: TransportHost;
  readonly input: Readable;
  readonly output: Writable;
  readonly origin: Origin;
  /** Line editing and history (a terminal); otherwise plain lines. */
  readonly terminal?: boolean;
  readonly ownsStreams?: boolean;
  readonly onClose?: () => void;
}

/** Splits a command line into the command, its words and the raw text after the command. */
export function splitCommandLine(line: string): { name: string; words: string[]; rest: string } {
  const trimmed = line.trim();
  const m = /^(\S+)\s*(.*)$/.exec(trimmed);
  if (!m) return { name: '', words: [], rest: '' };
  const rest = m[2]!;
  return { name: m[1]!, words: rest ? rest.split(/\s+/) : [], rest };
}

/** Runs one line and returns the text to print (possibly empty); never throws. */
export async function runHmpLine(line: string, ctx: HmpContext): Promise<string> {
  const { name, words, rest } = splitCommandLine(line);
  if (!name) return '';
  const cmd = findHmpCommand(name);
  if (!cmd) return `unknown command: '${name}'`;
  try {
    return await cmd.run(ctx, words, rest);
  } catch (e) {
    const desc = e && typeof e === 'object' && 'desc' in e ? String((e as { desc: unknown }).desc) : e instanceof HmpUsageError || e instanceof Error ? e.message : String(e);
    return `Error: ${desc.split('\n')[0]}`;
  }
}

/** A human monitor on one connection. */
export class HmpSession {
  private closed = false;
  private chain: Promise<void> = Promise.resolve();
  private rl: readline.Interface | undefined;

  constructor(private readonly opts: HmpSessionOptions) {
    // Suspended until the configuration feed is done, like QMP monitors.
    opts.host.configured.then(() => this.start(), () => this.close());
    opts.input.on('close', () => this.close());
    opts.output.on('error', () => this.close());
  }

  private start(): void {
    if (this.closed) return;
    const { input, output, host } = this.opts;
    output.write(`vmledger ${host.version.major}.${host.version.minor}.${host.version.micro} monitor - type 'help' for more information\n`);
    const rl = readline.createInterface({ input, output, terminal: this.opts.terminal ?? false, prompt: HMP_PROMPT, historySize: 200 });
    this.rl = rl;
    rl.prompt();
    const ctx: HmpContext = {
      exec: (command, args) => host.execute(command, args, this.opts.origin),
      host,
      end: () => queueMicrotask(() => this.close()),
    };
    rl.on('line', (line) => {
      // Lines run strictly one after another, whatever arrives meanwhile.
      this.chain = this.chain.then(async () => {
        if (this.closed) return;
        const text = await runHmpLine(line, ctx);
        if (this.closed) return;
        if (text) output.write(`${text}\n`);
        rl.prompt();
      });
    });
    rl.on('close', () => void this.chain.then(() => this.close()));
  }

  /** Ends the session; commands already sent to the kernel complete. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rl?.close();
    if (this.opts.ownsStreams !== false) {
      this.opts.input.destroy();
      if ((this.opts.output as unknown) !== this.opts.input) this.opts.output.end();
    }
    this.opts.onClose?.();
  }
}
