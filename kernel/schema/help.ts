import type { CommandDecl } from '../command.js';
import type { Schema } from './types.js';

/** A short type name for help text: `int`, `size`, `'reset'|'shutdown'`, `[str]`. */
export function describeSchema(s: Schema): string {
  switch (s.kind) {
    case 'enum':
      return s.values.map((v: string) => `'${v}'`).join('|');
    case 'array':
      return `[${describeSchema(s.items)}]`;
    case 'object':
      return s.name ?? 'object';
    case 'alternate':
      return s.options.map(describeSchema).join('|');
    default:
      return s.range ? `${s.kind}(${s.range.min ?? ''}..${s.range.max ?? ''})` : s.kind;
  }
}

/** Help text for one command, from its declaration: usage line, docs, arguments, phases, example. */
export function commandHelp(decl: CommandDecl): string {
  const args = Object.entries(decl.args.fields).map(
    ([name, f]) => `  ${f.optional ? `[${name}]` : name}: ${describeSchema(f.schema)}${f.doc ? ` - ${f.doc}` : ''}`,
  );
  const phases = decl.phases === 'any' ? 'any phase' : decl.phases.join(', ');
  return [
    `${decl.name} (${decl.kind}) - ${decl.doc}`,
    ...(args.length ? ['arguments:', ...args] : []),
    ...(decl.args.rest ? ['  ...: further properties of the chosen type'] : []),
    `phases: ${phases}`,
    ...(decl.example ? ['example:', ...decl.example.split('\n').map((l) => `  ${l}`)] : []),
  ].join('\n');
}
