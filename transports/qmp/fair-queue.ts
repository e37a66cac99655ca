/**
 * Fair admission of commands from many monitors into the kernel's single
 * FIFO queue. Each monitor is a lane; lanes are served round-robin, each
 * lane has at most `perLane` commands inside the kernel at once and all
 * lanes together at most `total`. A client that pipelines ten thousand
 * commands therefore sits in its own lane, and another client's command
 * waits behind at most `total` commands, not behind the whole flood.
 */

/** A unit of work: starts one `host.execute` and settles when it is done. */
export type LaneTask = () => Promise<void>;

/** Limits of a fair queue. */
export interface FairQueueLimits {
  readonly perLane: number;
  readonly total: number;
}

/** One monitor's lane: FIFO within, and it can be held back while its client is not reading. */
export class Lane {
  /** @internal */ readonly tasks: LaneTask[] = [];
  /** @internal */ running = 0;
  /** @internal */ closed = false;
  /** When true the lane starts nothing new (its output buffer is full). */
  held = false;

  constructor(private readonly queue: FairQueue) {}

  /** Queues a task; it starts when the lane's turn comes. */
  push(task: LaneTask): void {
    if (this.closed) return;
    this.tasks.push(task);
    this.queue.pump();
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.tasks.length + this.running;
  }

  /** Lets a held lane run again. */
  release(): void {
    this.held = false;
    this.queue.pump();
  }

  /** Drops tasks not yet started (the client went away); running ones finish. */
  close(): void {
    this.closed = true;
    this.tasks.length = 0;
    this.queue.remove(this);
  }
}

/**
 * Defaults: deep enough that the kernel's group commit gets large batches
 * (one log transaction for many pipelined changes), shallow enough that a
 * newcomer waits behind at most a few hundred commands.
 */
export const DEFAULT_FAIR_LIMITS: FairQueueLimits = { perLane: 64, total: 256 };

/** Round-robin scheduler over lanes with per-lane and total in-flight caps. */
export class FairQueue {
  private readonly lanes: Lane[] = [];
  private next = 0;
  private running = 0;

  constructor(private readonly limits: FairQueueLimits = DEFAULT_FAIR_LIMITS) {}

  /** A new lane for a new monitor. */
  lane(): Lane {
    const lane = new Lane(this);
    this.lanes.push(lane);
    return lane;
  }

  /** @internal */
  remove(lane: Lane): void {
    const i = this.lanes.indexOf(lane);
    if (i < 0) return;
    this.lanes.splice(i, 1);
    if (this.next > i) this.next--;
    this.pump();
  }

  /** Starts tasks, one lane at a time in turn, until a cap is reached or nothing is runnable. */
  pump(): void {
    while (this.running < this.limits.total && this.lanes.length > 0) {
      let started = false;
      for (let k = 0; k < this.lanes.length && this.running < this.limits.total; k++) {
        if (this.next >= this.lanes.length) this.next = 0;
        const lane = this.lanes[this.next]!;
        this.next++;
        if (lane.held || lane.tasks.length === 0 || lane.running >= this.limits.perLane) continue;
        this.start(lane, lane.tasks.shift()!);
        started = true;
      }
      if (!started) return;
    }
  }

  private start(lane: Lane, task: LaneTask): void {
    lane.running++;
    this.running++;
    const done = (): void => {
      lane.running--;
      this.running--;
      this.pump();
    };
    let p: Promise<void>;
    try {
      p = task();
    } catch {
      p = Promise.resolve();
    }
    p.then(done, done);
  }
}

const queues = new WeakMap<object, FairQueue>();

/** The one fair queue per kernel host, shared by every QMP and HMP monitor on it. */
export function fairQueueFor(host: object, limits?: FairQueueLimits): FairQueue {
  let q = queues.get(host);
  if (!q) {
    q = new FairQueue(limits);
    queues.set(host, q);
  }
  return q;
}
