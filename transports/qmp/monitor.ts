/**
 * One QMP connection: greeting, capabilities negotiation, `id` echo,
 * pipelined requests answered in order, events to negotiated monitors, and
 * bounded buffering in both directions.
 *
 * -> {"execute": "qmp_capabilities"}
 * <- {"return": {}}
 * -> {"execute": "query-status", "id": 1}{"execute": "query-name", "id": 2}
 * <- {"return": {"status": "prelaunch", "running": false}, "id": 1}
 * <- {"return": {}, "id": 2}
 *
 * Why requests are read ahead: QEMU reads one command per monitor at a time,
 * which makes pipelining useless; here every parsed request gets an output
 * slot at once, runs through the fair queue, and slots are written strictly
 * in input order whatever finishes first.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import type { Subscription } from 'rxjs';
import type { Origin } from '../../kernel/origin.js';
import type { TransportHost } from '../../kernel/transport.js';
import type { Lane } from './fair-queue.js';
import { DEFAULT_JSON_LIMITS, JsonStreamParser, type JsonStreamLimits } from './json-stream-parser.js';
import {
  NEGOTIATION_DONE,
  NEGOTIATION_EXPECTED,
  checkRequest,
  errorLine,
  eventLine,
  greeting,
  isRejected,
  returnLine,
  wireError,
  type QmpRequest,
} from './protocol.js';

/** Bounds on what one monitor may hold in memory. */
export interface MonitorLimits extends JsonStreamLimits {
  /** Requests parsed but not yet answered; input is paused at this many. */
  readonly maxPending: number;
  /** Output bytes buffered before the monitor stops starting commands (the client is not reading). */
  readonly outputHighWater: number;
  /** Output bytes buffered (events keep coming) at which the client is disconnected. */
  readonly outputHardLimit: number;
}

/** Defaults sized for management tools: generous, but finite. */
export const DEFAULT_MONITOR_LIMITS: MonitorLimits = {
  ...DEFAULT_JSON_LIMITS,
  maxPending: 256,
  outputHighWater: 1 << 20,
  outputHardLimit: 16 << 20,
};

/** What a monitor counts, for tests and diagnostics. */
export interface MonitorStats {
  /** Top-level JSON values read, well-formed or not. */
  parsed: number;
  /** Commands handed to `host.execute`. */
  executed: number;
  /** Replies written. */
  replied: number;
  /** Most output bytes ever waiting for the client. */
  maxBuffered: number;
  /** Whether the monitor is currently holding back because the client does not read. */
  held: boolean;
  negotiated: boolean;
  closed: boolean;
}

/** How a monitor is wired to its connection. */
export interface MonitorOptions {
  readonly host: TransportHost;
  readonly input: Readable;
  readonly output: Writable;
  readonly origin: Origin;
  readonly lane: Lane;
  readonly limits?: Partial<MonitorLimits>;
  /** False for stdio: the process's own streams are left open when the monitor closes. */
  readonly ownsStreams?: boolean;
  /** Called once when the connection ends, however it ends. */
  readonly onClose?: () => void;
}

type Slot = { text: string | undefined };

/** One QMP monitor on one connection. */
export class QmpMonitor {
  readonly stats: MonitorStats = { parsed: 0, executed: 0, replied: 0, maxBuffered: 0, held: false, negotiated: false, closed: false };
  private readonly limits: MonitorLimits;
  private readonly parser: JsonStreamParser;
  private readonly decoder = new StringDecoder('utf8');
  /** Parsed requests not yet handed to the lane, in input order. */
  private readonly waiting: Array<{ slot: Slot; req: QmpRequest }> = [];
  /** Replies owed, in input order; the head is written as soon as it is known. */
  private readonly slots: Slot[] = [];
  private out = '';
  private flushScheduled = false;
  private configured = false;
  /** A `qmp_capabilities` is running: later requests wait, since they depend on its outcome. */
  private barrier = false;
  private inputPaused = false;
  /** The input ended before the configuration feed was done: close once what it sent is answered. */
  private inputEnded = false;
  private readonly subscription: Subscription;

  constructor(private readonly opts: MonitorOptions) {
    this.limits = { ...DEFAULT_MONITOR_LIMITS, ...opts.limits };
    this.parser = new JsonStreamParser(
      {
        value: (v) => this.onValue(v),
        error: (desc) => this.onLocalReply(errorLine({ class: 'GenericError', desc }, false, undefined)),
      },
      this.limits,
    );
    this.subscription = opts.host.events.subscribe((e) => {
      if (this.stats.negotiated && !this.stats.closed) this.write(eventLine(e));
    });
    opts.input.on('data', (chunk: Buffer | string) => {
      this.parser.feed(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
      this.pump();
    });
    opts.input.on('end', () => {
      this.parser.feed(this.decoder.end());
      this.parser.flush();
      this.pump();
    });
    opts.input.on('close', () => this.inputClosed());
    opts.input.on('error', () => this.close());
    opts.output.on('error', () => this.close());
    opts.output.on('close', () => this.close());
    opts.output.on('drain', () => this.checkOutput());
    // Suspended until the configuration feed is done: nothing is dispatched
    // and no greeting is sent, so a client cannot race the command line.
    opts.host.configured.then(
      () => {
        if (this.stats.closed) return;
        this.configured = true;
        this.write(greeting(opts.host));
        this.pump();
        this.closeIfDrained();
      },
      () => this.close(),
    );
  }

  /**
   * The client's input ended. Before the configuration feed is done nothing
   * has been answered yet, and a client that wrote its commands and closed
   * its end (`printf ... | vmledger -qmp stdio` while the command line still
   * reads the firmware) is answered in full, then the connection closes;
   * later, it closes at once.
   */
  private inputClosed(): void {
    if (this.configured) this.close();
    else this.inputEnded = true;
  }

  /** Closes a connection whose input ended before the feed was done, once what it sent has been answered. */
  private closeIfDrained(): void {
    if (this.inputEnded && this.waiting.length === 0 && this.slots.length === 0 && !this.barrier) this.close();
  }

  /** Ends the connection; commands already inside the kernel still complete (and are logged), their replies are dropped. */
  close(): void {
    if (this.stats.closed) return;
    // Replies already decided (the one to `quit`) still go out before the connection ends.
    this.flush();
    this.stats.closed = true;
    this.subscription.unsubscribe();
    this.opts.lane.close();
    this.waiting.length = 0;
    if (this.opts.ownsStreams !== false) {
      // A socket is both streams: end() sends what is still buffered (the reply to `quit`) before closing.
      if (this.opts.output === (this.opts.input as unknown)) this.opts.output.end();
      else {
        this.opts.input.destroy();
        this.opts.output.end();
      }
    }
    this.opts.onClose?.();
  }

  private onValue(v: unknown): void {
    const req = checkRequest(v);
    if (isRejected(req)) this.onLocalReply(errorLine(req.error, req.hasId, req.id));
    else {
      this.stats.parsed++;
      const slot: Slot = { text: undefined };
      this.slots.push(slot);
      this.waiting.push({ slot, req });
    }
    this.throttleInput();
  }

  /** A reply decided without the kernel (parse or shape errors) still takes its turn in order. */
  private onLocalReply(text: string): void {
    this.stats.parsed++;
    if (this.waiting.length === 0 && this.slots.length === 0) {
      if (this.configured) this.write(text);
      else this.slots.push({ text });
    } else this.slots.push({ text });
    this.throttleInput();
  }

  /** Moves waiting requests into the lane, deciding the negotiation rules at the moment each one's turn comes. */
  private pump(): void {
    if (!this.configured || this.stats.closed) return;
    this.writeReadySlots();
    while (this.waiting.length > 0 && !this.barrier) {
      const { slot, req } = this.waiting.shift()!;
      if (req.execute === 'qmp_capabilities') {
        if (this.stats.negotiated) {
          this.settle(slot, errorLine({ class: 'CommandNotFound', desc: NEGOTIATION_DONE }, req.hasId, req.id));
          continue;
        }
        this.barrier = true;
        this.dispatch(slot, req, () => {
          this.stats.negotiated = true;
        });
        continue;
      }
      if (!this.stats.negotiated) {
        this.settle(slot, errorLine({ class: 'CommandNotFound', desc: NEGOTIATION_EXPECTED }, req.hasId, req.id));
        continue;
      }
      this.dispatch(slot, req);
    }
  }

  private dispatch(slot: Slot, req: QmpRequest, onSuccess?: () => void): void {
    this.opts.lane.push(async () => {
      this.stats.executed++;
      let text: string;
      try {
        const ret = await this.opts.host.execute(req.execute, req.arguments, this.opts.origin);
        onSuccess?.();
        text = returnLine(ret, req.hasId, req.id);
      } catch (e) {
        text = errorLine(wireError(e), req.hasId, req.id);
      }
      if (req.execute === 'qmp_capabilities') this.barrier = false;
      this.settle(slot, text);
      if (!this.barrier) this.pump();
    });
  }

  private settle(slot: Slot, text: string): void {
    slot.text = text;
    this.writeReadySlots();
  }

  private writeReadySlots(): void {
    if (!this.configured) return;
    let wrote = false;
    while (this.slots.length > 0 && this.slots[0]!.text !== undefined) {
      this.write(this.slots.shift()!.text!);
      this.stats.replied++;
      wrote = true;
    }
    if (wrote) this.throttleInput();
    this.closeIfDrained();
  }

  private write(text: string): void {
    if (this.stats.closed) return;
    this.out += text;
    const buffered = this.buffered();
    if (buffered > this.stats.maxBuffered) this.stats.maxBuffered = buffered;
    // Hold at once, not at the next flush: many commands can finish within one turn of the loop.
    if (buffered > this.limits.outputHighWater && !this.stats.held) this.checkOutput();
    if (buffered > this.limits.outputHardLimit) {
      // Only events can push past the high-water mark (commands stop first):
      // a client that never reads is dropped rather than buffered without bound.
      this.close();
      return;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.stats.closed || this.out.length === 0) return;
    const text = this.out;
    this.out = '';
    this.opts.output.write(text);
    this.checkOutput();
  }

  private buffered(): number {
    return this.out.length + (this.opts.output.writableLength ?? 0);
  }

  /** Holds the lane while the client is not reading its replies; releases it once the buffer drains. */
  private checkOutput(): void {
    const held = this.buffered() > this.limits.outputHighWater;
    if (held !== this.stats.held) {
      this.stats.held = held;
      this.opts.lane.held = held;
      if (!held) this.opts.lane.release();
    }
    this.throttleInput();
  }

  /** Stops reading while too many replies are owed or output is held, so input stays bounded too. */
  private throttleInput(): void {
    const full = this.slots.length >= this.limits.maxPending || this.stats.held;
    if (full && !this.inputPaused) {
      this.inputPaused = true;
      this.opts.input.pause();
    } else if (!full && this.inputPaused && this.slots.length < this.limits.maxPending / 2) {
      this.inputPaused = false;
      this.opts.input.resume();
    }
  }
}
