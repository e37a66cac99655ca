/**
 * The `export-config` command, registered through the public plugin
 * contract: it reads the log through `x-query-log` like any other client
 * would, so it needs nothing private from the kernel.
 *
 * -> { "execute": "export-config", "arguments": { "format": "cli" } }
 * <- { "return": { "format": "cli", "text": "vmledger \\\n  -machine virt,memory=268435456 ..." } }
 */
import { defineCommand } from '../../kernel/command.js';
import { definePlugin } from '../../kernel/plugin.js';
import { t } from '../../kernel/schema/types.js';
import { exportConfig, type ExportableEntry } from './export.js';
import { EXPORT_FORMATS } from './formats.js';

/** Every entry of the log, read a page at a time as `x-query-log` hands them out. */
async function allEntries(call: (command: string, args: Record<string, unknown>) => Promise<unknown>): Promise<ExportableEntry[]> {
  const entries: ExportableEntry[] = [];
  for (let from: number | undefined = 1; from !== undefined; ) {
    const page = (await call('x-query-log', { from, count: 1000 })) as { entries: ExportableEntry[]; next?: number };
    entries.push(...page.entries);
    from = page.next;
  }
  return entries;
}

/** The `export-config` command: the live configuration as a config file, a command line or a QMP script. */
export const exportConfigCommand = defineCommand({
  name: 'export-config',
  args: t.object({ format: t.optional(t.enum('ExportFormat', EXPORT_FORMATS), "commands (YAML config file, the default), cli or qmp") }),
  returns: t.object({ format: t.str(), text: t.str() }, { name: 'ExportedConfig' }),
  phases: 'any',
  kind: 'query',
  doc: 'Export the configuration, rebuilt from the command log, as a config file, a command line or a QMP script',
  example: '-> { "execute": "export-config", "arguments": { "format": "qmp" } }\n<- { "return": { "format": "qmp", "text": "{\\"execute\\":\\"qmp_capabilities\\"}\\n..." } }',
  async handler({ format }, ctx) {
    const entries = await allEntries((command, args) => ctx.call(command, args));
    const f = format ?? 'commands';
    return { format: f, text: exportConfig(entries, f) };
  },
});

/** Registers `export-config`; load it with the default plugin set. */
export const exportConfigPlugin = definePlugin({
  name: 'export-config',
  version: '0.1.0',
  setup(host) {
    host.command(exportConfigCommand);
  },
});
