/**
 * The QMP wire rules, as QEMU's monitor/qmp.c and qapi/qmp-dispatch.c apply
 * them: the greeting, the shape a request must have, and how replies and
 * events are written (one JSON object per line, CRLF-terminated).
 */
import type { KernelEvent } from '../../kernel/event-bus.js';
import type { TransportHost } from '../../kernel/transport.js';
import { QEMU_QMP_VERSION } from '../../kernel/index.js';

/** A QMP error as it appears on the wire. */
export interface WireError {
  readonly class: string;
  readonly desc: string;
}

/** A request that passed the structural checks. `hasId` distinguishes a missing id from `"id": null`. */
export interface QmpRequest {
  readonly execute: string;
  readonly arguments: Record<string, unknown> | undefined;
  readonly hasId: boolean;
  readonly id: unknown;
}

/** Why a JSON value is not a request; the reply carries the id when the value was an object with one. */
export interface RejectedRequest {
  readonly error: WireError;
  readonly hasId: boolean;
  readonly id: unknown;
}

/** The description QEMU gives every command before negotiation. */
export const NEGOTIATION_EXPECTED = "Expecting capabilities negotiation with 'qmp_capabilities'";
/** The description QEMU gives a second `qmp_capabilities`. */
export const NEGOTIATION_DONE = 'Capabilities negotiation is already complete, command ignored';

/**
 * The greeting sent when a monitor starts: the QEMU version whose QMP this
 * follows, and vmledger's own as the package, as `query-version` says.
 *
 * <- {"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "vmledger 0.1.0"}, "capabilities": []}}
 */
export function greeting(host: TransportHost): string {
  const { major, minor, micro } = QEMU_QMP_VERSION;
  return line({ QMP: { version: { qemu: { micro, minor, major }, package: host.version.package }, capabilities: [] } });
}

/**
 * Checks a parsed value the way qmp_dispatch_check_obj does, member by member in input order.
 *
 * -> [1, 2]
 * <- {"error": {"class": "GenericError", "desc": "QMP input must be a JSON object"}}
 * -> {"exec": 1}
 * <- {"error": {"class": "GenericError", "desc": "QMP input member 'exec' is unexpected"}}
 */
export function checkRequest(value: unknown): QmpRequest | RejectedRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject('QMP input must be a JSON object', false, undefined);
  const dict = value as Record<string, unknown>;
  const hasId = Object.prototype.hasOwnProperty.call(dict, 'id');
  const id = dict.id;
  let execute: string | undefined;
  for (const [name, member] of Object.entries(dict)) {
    if (name === 'execute') {
      if (typeof member !== 'string') return reject("QMP input member 'execute' must be a string", hasId, id);
      execute = member;
    } else if (name === 'arguments') {
      if (typeof member !== 'object' || member === null || Array.isArray(member)) return reject("QMP input member 'arguments' must be an object", hasId, id);
    } else if (name !== 'id') {
      // `exec-oob` lands here too: this server does not offer the oob capability.
      return reject(`QMP input member '${name}' is unexpected`, hasId, id);
    }
  }
  if (execute === undefined) return reject("QMP input lacks member 'execute'", hasId, id);
  return { execute, arguments: dict.arguments as Record<string, unknown> | undefined, hasId, id };
}

function reject(desc: string, hasId: boolean, id: unknown): RejectedRequest {
  return { error: { class: 'GenericError', desc }, hasId, id };
}

/** Whether `checkRequest` refused the value. */
export function isRejected(r: QmpRequest | RejectedRequest): r is RejectedRequest {
  return 'error' in r;
}

/** `<- {"return": {...}, "id": ...}` */
export function returnLine(ret: unknown, hasId: boolean, id: unknown): string {
  return line(hasId ? { return: ret ?? {}, id } : { return: ret ?? {} });
}

/** `<- {"id": ..., "error": {"class": ..., "desc": ...}}` (QEMU writes the id first on errors). */
export function errorLine(error: WireError, hasId: boolean, id: unknown): string {
  const e = { class: error.class, desc: error.desc };
  return line(hasId ? { id, error: e } : { error: e });
}

/** `<- {"timestamp": {"seconds": ..., "microseconds": ...}, "event": "STOP"}` */
export function eventLine(e: KernelEvent): string {
  return line(e.data === undefined ? { timestamp: e.timestamp, event: e.event } : { timestamp: e.timestamp, event: e.event, data: e.data });
}

/** Turns whatever `execute` rejected with into the wire error (a QmpError carries class and desc). */
export function wireError(e: unknown): WireError {
  if (e && typeof e === 'object' && 'errorClass' in e && 'desc' in e) {
    const q = e as { errorClass: unknown; desc: unknown };
    return { class: String(q.errorClass), desc: String(q.desc) };
  }
  return { class: 'GenericError', desc: e instanceof Error ? e.message : String(e) };
}

function line(v: unknown): string {
  return `${JSON.stringify(v)}\r\n`;
}
