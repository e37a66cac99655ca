import { describe, expect, it } from 'vitest';
import { ManualTime, VirtualClock } from '../../plugins/hw/virtual-clock.js';

/** A stopped clock at `ns` of virtual time, and the order its timers fired in. */
function clockAt(ns: number): { clock: VirtualClock; fired: string[] } {
  const clock = new VirtualClock(new ManualTime());
  clock.advance(ns);
  return { clock, fired: [] };
}

describe('device timers on the virtual clock', () => {
  it('setTimerIn counts its delay from now, setTimerAt takes a point in virtual time', () => {
    const { clock, fired } = clockAt(1_000_000);
    clock.setTimerIn(500, () => fired.push(`in at ${clock.now()}`));
    clock.setTimerAt(1_000_200, () => fired.push(`at at ${clock.now()}`));
    clock.advance(199);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual(['at at 1000200']);
    clock.advance(300);
    expect(fired).toEqual(['at at 1000200', 'in at 1000500']);
  });

  it('setTimerAt a time already past fires at the next poll; a cancelled timer never fires', () => {
    const { clock, fired } = clockAt(5000);
    clock.setTimerAt(10, () => fired.push('past'));
    clock.setTimerIn(10, () => fired.push('cancelled')).cancel();
    clock.advance(20);
    expect(fired).toEqual(['past']);
  });
});
