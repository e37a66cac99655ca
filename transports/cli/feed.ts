/**
 * Runs a list of steps through the dispatcher, strictly in order, stopping
 * at the first failure. The command line and config files both feed
 * through here: a transport has no other way into the machine.
 */
import { toQmpError } from '../../kernel/errors.js';
import type { Origin } from '../../kernel/origin.js';
import { TransportError, type Step } from '../feed/step.js';

/** The one thing a feed needs: the dispatcher. A Kernel's `host` fits. */
export interface FeedTarget {
  execute(command: string, args: Record<string, unknown> | undefined, origin: Origin): Promise<unknown>;
}

/** Where an origin points, for error messages. */
export function describeOrigin(origin: Origin): string {
  return origin.position ?? origin.endpoint ?? origin.transport;
}

/**
 * Executes `steps` left to right. The first failing command stops the feed
 * with a TransportError naming its position, the command and the
 * dispatcher's description; the commands before it stay executed (and
 * logged), nothing after it runs, so a guest is never started by a failed
 * configuration (`cont` comes last). `stopped`, when given, ends the feed
 * early without an error once it returns true (the program is exiting).
 */
export async function feedSteps(steps: readonly Step[], target: FeedTarget, stopped: () => boolean = () => false): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const step of steps) {
    if (stopped()) break;
    try {
      results.push(await target.execute(step.execute, step.arguments, step.origin));
    } catch (e) {
      throw new TransportError(describeOrigin(step.origin), `${step.execute}: ${toQmpError(e).desc}`);
    }
  }
  return results;
}
