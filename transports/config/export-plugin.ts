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

/** Enough entries for any real log: `x-query-log` takes a count. */
const ALL_ENTRIES = Number.MAX_SAFE_INTEGER;

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
    const entries = (await ctx.call('x-query-log', { count: ALL_ENTRIES })) as ExportableEntry[];
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
