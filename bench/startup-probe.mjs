// Preloaded by bench/cli-startup.ts (node --import) in its breakdown runs: writes to
// stderr when Node is ready to run the program and each `vmledger:` performance mark
// main/vmledger.ts makes, as milliseconds since the process started, at once (the
// bench kills the process as soon as the QMP greeting arrives).
import { writeSync } from 'node:fs';

writeSync(2, `startup-probe node-ready ${performance.now()}\n`);
const mark = performance.mark.bind(performance);
performance.mark = (name, options) => {
  const entry = mark(name, options);
  if (name.startsWith('vmledger:')) writeSync(2, `startup-probe ${name.slice('vmledger:'.length)} ${entry.startTime}\n`);
  return entry;
};
