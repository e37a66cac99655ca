/**
 * QEMU's own config file format, what `-readconfig` means to a QEMU user
 * (and what `qemu -writeconfig` wrote):
 *
 *   # qemu config file
 *   [machine]
 *     type = "virt"
 *   [drive "disk0"]
 *     file = "disk.img"
 *     if = "none"
 *
 * Each group is the option of the same name with the group's keys as its
 * argument (and the group's name in quotes as `id`), so it expands exactly
 * as that option on the command line would.
 */

/** A QEMU config group and the option it stands for, where the names differ (`[memory] size=` is `-m size=`). */
const GROUP_OPTIONS: Readonly<Record<string, string>> = {
  memory: '-m',
  'smp-opts': '-smp',
  'boot-opts': '-boot',
};

/** One option of an INI file: its name, its keyval argument, and the line it came from. */
export interface IniOption {
  readonly option: string;
  readonly value: string;
  readonly line: number;
}

/** `[machine]` or `[drive "disk0"]`. */
const GROUP_HEADER = /^\[([A-Za-z0-9_-]+)(?:\s+"([^"]*)")?\]$/;

/** Whether a config file's text is QEMU's INI format: its first line that is not blank or a comment is a group header (a JSON5 list starts with a bare `[`). */
export function isQemuIni(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  return first !== undefined && GROUP_HEADER.test(first.trim());
}

/** Keyval quoting: a comma inside a value is doubled. */
const keyvalValue = (v: string) => v.replace(/,/g, ',,');

/** Reads an INI file into options in file order; a line it cannot read fails with its number, as QEMU's parser does. */
export function parseQemuIni(text: string): IniOption[] {
  const out: IniOption[] = [];
  let group: { option: string; keys: string[]; line: number } | undefined;
  const flush = () => {
    if (group) out.push({ option: group.option, value: group.keys.join(','), line: group.line });
  };
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const head = GROUP_HEADER.exec(line);
    if (head) {
      flush();
      const name = head[1]!;
      group = { option: GROUP_OPTIONS[name] ?? `-${name}`, keys: head[2] !== undefined ? [`id=${keyvalValue(head[2])}`] : [], line: i + 1 };
      return;
    }
    const entry = /^([A-Za-z0-9_.-]+)\s*=\s*"([^"]*)"$/.exec(line);
    if (!entry) throw new Error(`line ${i + 1}: parse error (expected [group], [group "id"] or key = "value")`);
    if (!group) throw new Error(`line ${i + 1}: no group at line ${i + 1}`);
    group.keys.push(`${entry[1]}=${keyvalValue(entry[2]!)}`);
  });
  flush();
  return out;
}
