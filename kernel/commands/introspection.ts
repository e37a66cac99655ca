import { defineCommand } from '../command.js';
import { introspect } from '../schema/introspect.js';
import { t } from '../schema/types.js';
import { QEMU_QMP_VERSION, type CoreDeps } from './core-deps.js';

const VersionInfo = t.object(
  { qemu: t.object({ major: t.int(), minor: t.int(), micro: t.int() }, { name: 'VersionTriple' }), package: t.str() },
  { name: 'VersionInfo' },
);

/** What management software asks first: version, commands, the schema. */
export function introspectionCommands(deps: CoreDeps) {
  return [
    defineCommand({
      name: 'query-version',
      args: t.empty(),
      returns: VersionInfo,
      phases: 'any',
      kind: 'query',
      doc: "The version of QEMU whose QMP vmledger follows (qemu), and vmledger's own (package)",
      example: '-> { "execute": "query-version" }\n<- { "return": { "qemu": { "major": 7, "minor": 2, "micro": 0 }, "package": "vmledger 0.1.0" } }',
      handler: () => ({ qemu: { ...QEMU_QMP_VERSION }, package: deps.version.package }),
    }),
    defineCommand({
      name: 'query-commands',
      args: t.empty(),
      returns: t.array(t.object({ name: t.str() }, { name: 'CommandInfo' })),
      phases: 'any',
      kind: 'query',
      doc: 'Every command this process accepts, plugins included',
      handler: () => deps.registry.list().flatMap((c) => [c.name, ...(c.aliases ?? [])]).map((name) => ({ name })),
    }),
    defineCommand({
      name: 'query-qmp-schema',
      args: t.empty(),
      returns: t.array(t.object({ name: t.str(), 'meta-type': t.str() }, { name: 'SchemaInfo', rest: t.any() })),
      phases: 'any',
      kind: 'query',
      doc: 'QAPI introspection: every command, its argument and return types, enums and events',
      handler: () => introspect(deps.registry.list(), deps.registry.listEvents()),
    }),
  ];
}
