/**
 * Templates from the command line:
 *
 *   vmledger up [TEMPLATE] [key=value...] [--help] [--print-expansion[=config]] [-S]
 *       -> runUp(argv, kernel)         (kernel created by main with the default plugins)
 *   vmledger template list | show NAME | copy NAME [DEST]
 *       -> runTemplateCommand(argv)   (needs no kernel)
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Kernel } from '../../kernel/kernel.js';
import { DEFAULT_TEMPLATE, listTemplates, loadTemplate, parseAssignments, resolveTemplate, templateHelp, templateSteps } from '../config/index.js';
import { TransportError } from '../feed/step.js';
import { feedConfiguration, formatExpansion, processIo, type CliIo, type CliOutcome } from './index.js';
import { defaultSettings } from './option-spec.js';

/**
 * `vmledger up [TEMPLATE] key=value...`: renders the template (the default
 * one when the first argument is already a variable or a flag), then feeds the
 * resulting config through the dispatcher exactly as a command line would
 * (all or nothing, origin `config` with file positions). `--help` lists
 * the variables; `--print-expansion[=config]` prints the commands and runs
 * nothing; `-S` leaves out a final `cont` so the VM waits for a monitor.
 */
export async function runUp(argv: readonly string[], kernel: Kernel, io: CliIo = processIo): Promise<CliOutcome> {
  const fail = (e: unknown): CliOutcome => {
    io.stderr(`vmledger up: ${e instanceof Error ? e.message : String(e)}\n`);
    return { status: 'failed', exitCode: 1, steps: [] };
  };
  // A first argument that is a flag or a `key=value` is not a template name: the default template takes it.
  const named = argv[0] !== undefined && !argv[0].startsWith('-') && !argv[0].includes('=');
  const [name, rest] = named ? [argv[0]!, argv.slice(1)] : [DEFAULT_TEMPLATE, argv];
  const flags = rest.filter((a) => a.startsWith('-'));
  const settings = defaultSettings();
  try {
    for (const f of flags) {
      if (f === '--help' || f === '-h') {
        io.stdout(templateHelp(loadTemplate(name, io.cwd).template));
        return { status: 'done', exitCode: 0, steps: [] };
      }
      if (f === '-S') settings.freeze = true;
      else if (f === '--print-expansion' || f === '-dry-run' || f === '--print-expansion=qmp') settings.printExpansion = 'qmp';
      else if (f === '--print-expansion=config') settings.printExpansion = 'config';
      else throw new TransportError(`'${f}'`, 'unknown flag for up (--help, -S, --print-expansion[=config])');
    }
    let steps = templateSteps(name, parseAssignments(rest.filter((a) => !a.startsWith('-'))), kernel, io.cwd);
    if (settings.freeze) steps = steps.filter((s, i) => !(s.execute === 'cont' && i === steps.length - 1));
    if (settings.printExpansion) {
      io.stdout(formatExpansion({ steps, settings }));
      return { status: 'done', exitCode: 0, steps };
    }
    const exitCode = await feedConfiguration(steps, kernel);
    if (exitCode !== undefined) return { status: 'done', exitCode, steps, settings };
    return { status: 'running', exitCode: 0, steps, settings };
  } catch (e) {
    return fail(e);
  }
}

const TEMPLATE_HELP = `Usage: vmledger template list | show NAME | copy NAME [DEST]

  list              the shipped templates, with what each is for
  show NAME         print a template (front matter with its variables, then the commands)
  copy NAME [DEST]  copy a template to start your own; run it with vmledger up DEST key=value...
`;

/** `vmledger template list | show NAME | copy NAME [DEST]`: start your own template from ours. Returns the exit status. */
export async function runTemplateCommand(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [verb, name, dest] = argv;
  try {
    switch (verb) {
      case '--help':
      case '-h':
      case 'help':
        io.stdout(TEMPLATE_HELP);
        return 0;
      case 'list':
        for (const f of listTemplates()) io.stdout(`${f.padEnd(20)} ${loadTemplate(f).template.description}\n`);
        return 0;
      case 'show':
        if (!name) throw new TransportError('template show', 'which template? (vmledger template list)');
        io.stdout(readFileSync(resolveTemplate(name, io.cwd), 'utf8'));
        return 0;
      case 'copy': {
        if (!name) throw new TransportError('template copy', 'which template? (vmledger template list)');
        const from = resolveTemplate(name, io.cwd);
        const to = resolve(io.cwd ?? process.cwd(), dest ?? basename(from));
        if (existsSync(to)) throw new TransportError('template copy', `'${to}' exists; not overwriting it`);
        copyFileSync(from, to);
        io.stdout(`copied ${basename(from)} to ${to}\n`);
        return 0;
      }
      default:
        throw new TransportError('template', `unknown subcommand '${verb ?? ''}' (list, show NAME, copy NAME [DEST])`);
    }
  } catch (e) {
    io.stderr(`vmledger ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
