/**
 * The snapshot plugin: machine snapshots by name (`snapshot-save`,
 * `snapshot-load`, `snapshot-delete`, HMP `savevm`/`loadvm`/`delvm`/`info
 * snapshots`), migration to and from a file, and the jobs they run as. It
 * knows no device: every part of the machine declares what it saves
 * (plugins/hw/vmstate.ts).
 */
import { definePlugin } from '../../kernel/index.js';
import { snapshotCommands } from './commands.js';
import { Jobs } from './jobs.js';

export const snapshotPlugin = definePlugin({
  name: 'snapshot',
  version: '0.1.0',
  dependsOn: ['hw'],
  setup(host) {
    const jobs = new Jobs();
    const { event, commands } = jobs.declarations();
    host.event(event);
    for (const c of [...commands, ...snapshotCommands(jobs)]) host.command(c);
  },
});

export default snapshotPlugin;
