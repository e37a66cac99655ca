/**
 * HMP's snapshot commands, as QEMU's monitor has them: `savevm`, `loadvm`,
 * `delvm` and `info snapshots`, over the QMP commands of the same names,
 * which finish (or fail with the reason) before they answer.
 */
import type { HmpCommand, HmpInfo } from './command-table.js';

/** QEMU's default savevm name: vm-YYYYMMDDHHMMSS. */
function defaultTag(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `vm-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}

function need(words: string[], usage: string): string {
  if (!words[0]) throw new Error(`missing argument; usage: ${usage}`);
  return words[0];
}

export const SNAPSHOT_COMMANDS: readonly HmpCommand[] = [
  {
    name: 'savevm',
    args: '[tag]',
    help: 'save a VM snapshot; without a tag, vm-YYYYMMDDHHMMSS',
    run: async (ctx, words) => (await ctx.exec('savevm', { tag: words[0] ?? defaultTag() }), ''),
  },
  { name: 'loadvm', args: 'tag', help: 'restore a VM snapshot from its tag', run: async (ctx, words) => (await ctx.exec('loadvm', { tag: need(words, 'loadvm tag') }), '') },
  { name: 'delvm', args: 'tag', help: 'delete a VM snapshot from its tag', run: async (ctx, words) => (await ctx.exec('delvm', { tag: need(words, 'delvm tag') }), '') },
];

/** `h:mm:ss.mmm` of guest time, as QEMU's VM CLOCK column. */
function clock(ns: number): string {
  const ms = Math.floor(ns / 1e6);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(Math.floor(ms / 3_600_000))}:${p(Math.floor(ms / 60_000) % 60)}:${p(Math.floor(ms / 1000) % 60)}.${p(ms % 1000, 3)}`;
}

function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes, u = 0;
  while (v >= 1024 && u < units.length - 1) (v /= 1024), u++;
  return u === 0 ? `${v} ${units[u]}` : `${v.toFixed(2)} ${units[u]}`;
}

export const SNAPSHOT_INFO: readonly HmpInfo[] = [
  {
    name: 'snapshots',
    help: 'show the currently saved VM snapshots',
    run: async (ctx) => {
      const list = (await ctx.exec('x-query-snapshots')) as Array<{ name: string; 'date-sec': number; 'vm-clock-ns': number; 'vm-state-size': number }>;
      if (!list.length) return 'There is no snapshot available.';
      const date = (s: number) => new Date(s * 1000).toISOString().replace('T', ' ').slice(0, 19);
      const rows = list.map((s, i) => [String(i + 1), s.name, size(s['vm-state-size']), date(s['date-sec']), clock(s['vm-clock-ns'])]);
      const head = ['ID', 'TAG', 'VM SIZE', 'DATE', 'VM CLOCK'];
      const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
      const line = (r: string[]) => r.map((v, c) => (c === 2 ? v.padStart(w[c]!) : v.padEnd(w[c]!))).join('  ').trimEnd();
      return ['List of snapshots present in the snapshot directory:', line(head), ...rows.map(line)].join('\n');
    },
  },
];
