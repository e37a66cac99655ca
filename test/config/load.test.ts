import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kernel } from '../../kernel/index.js';
import { loadConfigFile, MAX_INCLUDE_DEPTH } from '../../transports/config/index.js';
import { runCommandLine } from '../../transports/cli/index.js';
import { captureIo, errorOf, newKernel, tmp } from '../cli/fixtures.js';

let kernel: Kernel;
beforeAll(async () => (kernel = await newKernel()));
afterAll(async () => kernel.close());

/** Writes files into a fresh directory and returns it. */
function files(map: Record<string, string>): string {
  const dir = tmp();
  for (const [name, text] of Object.entries(map)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('imperative config files', () => {
  it('reads at most 16 MiB of a config file: /dev/zero is refused instead of filling memory', () => {
    expect(() => loadConfigFile('/dev/zero')).toThrow("cannot read config file '/dev/zero': it is larger than 16 MiB");
  });

  it('loads YAML entries in order, with comments, each with file:line:col as origin', () => {
    const dir = files({
      'vm.yaml': '# a machine\n- execute: machine-set\n  arguments: { type: tvirt }\n\n- execute: device_add   # a device\n  arguments:\n    driver: tdev\n    id: d0\n',
    });
    const steps = loadConfigFile('vm.yaml', { cwd: dir });
    expect(steps.map((s) => [s.execute, s.arguments, s.origin.position])).toEqual([
      ['machine-set', { type: 'tvirt' }, 'vm.yaml:2:3'],
      ['device_add', { driver: 'tdev', id: 'd0' }, 'vm.yaml:5:3'],
    ]);
    expect(steps[0]!.origin).toMatchObject({ transport: 'config', endpoint: join(dir, 'vm.yaml') });
  });
  it('loads JSON5 with comments, trailing commas and unquoted keys, with element positions', () => {
    const dir = files({ 'vm.json5': "// machine\n[\n  { execute: 'machine-set', arguments: { type: 'tvirt' } },\n  /* dev */ { execute: 'device_add', arguments: { driver: 'tdev', }, },\n]\n" });
    const steps = loadConfigFile('vm.json5', { cwd: dir });
    expect(steps.map((s) => [s.execute, s.origin.position])).toEqual([
      ['machine-set', 'vm.json5:3:3'],
      ['device_add', 'vm.json5:4:13'],
    ]);
  });
  it('gives JSON5 {commands: [...]} entries their line and column too', () => {
    const dir = files({ 'c.json5': "{\n  // first\n  name: 'x, [y]',\n  commands: [\n    { execute: 'stop' },\n    /* then */ { execute: 'cont' },\n  ],\n}\n" });
    expect(loadConfigFile('c.json5', { cwd: dir }).map((s) => [s.execute, s.origin.position])).toEqual([
      ['stop', 'c.json5:5:5'],
      ['cont', 'c.json5:6:16'],
    ]);
  });
  it('accepts a mapping with a commands: list', () => {
    const dir = files({ 'c.yaml': 'commands:\n  - execute: stop\n' });
    expect(loadConfigFile('c.yaml', { cwd: dir }).map((s) => s.execute)).toEqual(['stop']);
  });
  it('types hand-written values by the schema when a registry is given', () => {
    const dir = files({ 'vm.yaml': '- execute: device_add\n  arguments: { driver: tdev, size: 64K, on: yes, count: "3" }\n' });
    const types = kernel.types;
    const decls = new Map(kernel.registry.list().map((d) => [d.name, d]));
    const [step] = loadConfigFile('vm.yaml', { cwd: dir, types, argsSchema: (c) => decls.get(c)?.args, coerce: { types } });
    expect(step!.arguments).toEqual({ driver: 'tdev', size: 65536, on: true, count: 3 });
  });
  it('reports a YAML syntax error with file, line and column', () => {
    const dir = files({ 'bad.yaml': '- execute: stop\n- execute: [unclosed\n' });
    expect(errorOf(() => loadConfigFile('bad.yaml', { cwd: dir }))).toMatch(/^bad\.yaml:3:1: YAML syntax error: Flow sequence/);
  });
  it('reports a JSON5 syntax error with file, line and column', () => {
    const dir = files({ 'bad.json5': "[\n  { execute: 'stop' },\n  { execute: 'cont' ]\n" });
    expect(errorOf(() => loadConfigFile('bad.json5', { cwd: dir }))).toBe("bad.json5:3:21: JSON5 syntax error: invalid character ']'");
  });
  it('reports a malformed entry at its position', () => {
    const dir = files({ 'e.yaml': '- execute: stop\n- exec: cont\n' });
    expect(errorOf(() => loadConfigFile('e.yaml', { cwd: dir }))).toBe("e.yaml:2:3: unknown key 'exec' in entry (execute, arguments or include)");
    const dir2 = files({ 'e.yaml': '- execute: stop\n- arguments: {}\n' });
    expect(errorOf(() => loadConfigFile('e.yaml', { cwd: dir2 }))).toBe("e.yaml:2:3: Parameter 'execute' is missing or not a command name");
  });
  it('includes files by path relative to the including file, in place', () => {
    const dir = files({ 'main.yaml': '- execute: stop\n- include: sub/more.yaml\n- execute: cont\n' });
    const { mkdirSync } = require('node:fs') as typeof import('node:fs');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'more.yaml'), '- execute: query-status\n- include: last.yaml\n');
    writeFileSync(join(dir, 'sub', 'last.yaml'), '- execute: query-name\n');
    expect(loadConfigFile('main.yaml', { cwd: dir }).map((s) => s.execute)).toEqual(['stop', 'query-status', 'query-name', 'cont']);
  });
  it('rejects an include cycle, spelling it out', () => {
    const dir = files({ 'a.yaml': '- include: b.yaml\n', 'b.yaml': '- execute: stop\n- include: a.yaml\n' });
    expect(errorOf(() => loadConfigFile('a.yaml', { cwd: dir }))).toBe('b.yaml:2:3: include cycle: a.yaml -> b.yaml -> a.yaml');
  });
  it('rejects includes nested deeper than the limit', () => {
    const map: Record<string, string> = {};
    for (let i = 0; i <= MAX_INCLUDE_DEPTH; i++) map[`f${i}.yaml`] = `- include: f${i + 1}.yaml\n`;
    map[`f${MAX_INCLUDE_DEPTH + 1}.yaml`] = '- execute: stop\n';
    const dir = files(map);
    expect(errorOf(() => loadConfigFile('f0.yaml', { cwd: dir }))).toMatch(new RegExp(`includes nest deeper than ${MAX_INCLUDE_DEPTH} files`));
  });
  it('names a missing file', () => {
    expect(errorOf(() => loadConfigFile('nope.yaml', { cwd: tmp() }))).toBe("nope.yaml: cannot read config file 'nope.yaml': ENOENT");
  });
});

describe('-readconfig on the command line', () => {
  it('injects the file’s commands at its position, recursively through includes', async () => {
    const dir = files({
      'vm.yaml': '- execute: machine-set\n  arguments: { type: tvirt, memory: 64M }\n- include: devs.yaml\n',
      'devs.yaml': '- execute: device_add\n  arguments: { driver: tdev, id: fromfile }\n',
    });
    const k = await newKernel();
    const io = captureIo(dir);
    const out = await runCommandLine(['-readconfig', 'vm.yaml', '-device', 'tdev,id=after', '-dry-run'], k, io);
    expect(out.steps.map((s) => [s.execute, s.origin.position])).toEqual([
      ['machine-set', 'vm.yaml:1:3 (via option 1 (-readconfig))'],
      ['device_add', 'devs.yaml:1:3 (via option 1 (-readconfig))'],
      ['device_add', 'option 2 (-device)'],
      ['cont', 'end of command line'],
    ]);
    expect(out.steps[0]!.arguments).toEqual({ type: 'tvirt', memory: 67108864 });
    await k.close();
  });
  it('reports a failing command inside the file by file position', async () => {
    const dir = files({ 'vm.yaml': '- execute: machine-set\n  arguments: { type: tvirt }\n- execute: device_add\n  arguments: { driver: nosuch }\n' });
    const k = await newKernel();
    const io = captureIo(dir);
    const out = await runCommandLine(['-config', 'vm.yaml'], k, io);
    expect(out.exitCode).toBe(1);
    expect(io.err).toBe("vmledger: vm.yaml:3:3 (via option 1 (-config)): device_add: 'nosuch' is not a valid device model name\n");
    expect(k.runState).toBe('prelaunch');
    await k.close();
  });
  it('reports an include cycle through -readconfig', async () => {
    const dir = files({ 'a.yaml': '- include: a.yaml\n' });
    const k = await newKernel();
    const io = captureIo(dir);
    await runCommandLine(['-readconfig', 'a.yaml'], k, io);
    expect(io.err).toBe('vmledger: a.yaml:1:3 (via option 1 (-readconfig)): include cycle: a.yaml -> a.yaml\n');
    await k.close();
  });
});
