import { Subject, type Observable } from 'rxjs';

/** A QMP-style event: `{event, data?, timestamp: {seconds, microseconds}}`. */
export interface KernelEvent {
  readonly event: string;
  readonly data?: Record<string, unknown>;
  readonly timestamp: { readonly seconds: number; readonly microseconds: number };
}

/** Timestamp in QMP's shape, from the wall clock. */
export function timestampNow(): KernelEvent['timestamp'] {
  const us = BigInt(Date.now()) * 1000n + (process.hrtime.bigint() / 1000n) % 1000n;
  return { seconds: Number(us / 1_000_000n), microseconds: Number(us % 1_000_000n) };
}

/** The stream every transport subscribes to. */
export class EventBus {
  private readonly subject = new Subject<KernelEvent>();
  readonly events: Observable<KernelEvent> = this.subject.asObservable();

  publish(event: string, data?: Record<string, unknown>): KernelEvent {
    const e: KernelEvent = data === undefined ? { event, timestamp: timestampNow() } : { event, data, timestamp: timestampNow() };
    this.subject.next(e);
    return e;
  }
}
