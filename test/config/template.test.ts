import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTemplateCommand, runUp } from '../../transports/cli/up.js';
import { listTemplates, loadTemplate, parseTemplate, renderTemplate, templateHelp, templateLineMap, templateSteps } from '../../transports/config/index.js';
import { captureIo, errorOf, newKernel, tmp } from '../cli/fixtures.js';

const TPL = `---
description: A test machine
variables:
  root: { required: true, doc: Root disk image }
  memory: { default: 256M, doc: Guest RAM }
  data: { doc: Second disk }
---
- execute: machine-set
  arguments: { type: tvirt, memory: {{ memory }} }
- execute: blockdev-add
  arguments: { driver: file, node-name: root, filename: {{ root | q }} }
{% if data %}
- execute: blockdev-add
  arguments: { driver: file, node-name: data, filename: {{ data | q }} }
{% endif %}
`;

describe('templates', () => {
  const tpl = parseTemplate(TPL, 'test.yaml');
  it('reads variables with defaults and docs from the front matter', () => {
    expect(tpl.description).toBe('A test machine');
    expect(tpl.variables).toEqual([
      { name: 'root', required: true, doc: 'Root disk image' },
      { name: 'memory', default: '256M', required: false, doc: 'Guest RAM' },
      { name: 'data', required: false, doc: 'Second disk' },
    ]);
  });
  it('renders with given values and defaults', () => {
    const out = renderTemplate(tpl, { root: 'my disk.img' });
    expect(out).toContain('memory: 256M');
    expect(out).toContain('filename: "my disk.img"');
    expect(out).not.toContain('node-name: data');
    expect(renderTemplate(tpl, { root: 'a', data: 'b', memory: '1G' })).toContain('node-name: data, filename: "b"');
  });
  it('names a missing required variable', () => {
    expect(errorOf(() => renderTemplate(tpl, {}))).toBe("test.yaml: missing required variable 'root' (Root disk image): give root=...");
  });
  it('names an unknown variable', () => {
    expect(errorOf(() => renderTemplate(tpl, { root: 'x', rootfs: 'y' }))).toBe("test.yaml: unknown variable 'rootfs' (this template takes: root, memory, data)");
  });
  it('lists variables for up TEMPLATE --help', () => {
    expect(templateHelp(tpl)).toBe(
      'test.yaml: A test machine\n\nvariables (give as key=value):\n' +
        '  root         required               Root disk image\n' +
        '  memory       default: 256M          Guest RAM\n' +
        '  data         optional               Second disk\n',
    );
  });
  it('requires front matter', () => {
    expect(errorOf(() => parseTemplate('- execute: stop\n', 'x.yaml'))).toMatch(/^x\.yaml:1:1: a template starts with front matter/);
  });
  it('runs as an imperative config through up, typed by the registry', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'vm.yaml'), TPL);
    const k = await newKernel();
    const io = captureIo(dir);
    const out = await runUp(['vm.yaml', 'root=disk.img', 'memory=64M'], k, io);
    expect(io.err).toBe('');
    expect(out.status).toBe('running');
    expect(k.objects.find('/machine')?.get('memory')).toBe(64 * 2 ** 20);
    expect(k.objects.find('/blockdevs/root')?.get('filename')).toBe('disk.img');
    expect(out.steps[1]!.origin.position).toBe('vm.yaml:10:3'); // the template file's line, not the rendered text's
    await k.close();
  });
  it('names the template file’s line for an error in the rendered config, past removed tags and substituted values', () => {
    const dir = tmp();
    const text = `---\ndescription: d\nvariables:\n  fw: {}\n  bad: { default: x }\n---\n{% if fw %}\n- execute: machine-set\n  arguments: { firmware: {{ fw | q }} }\n{% endif %}\n- execute: stop\n- {{ bad }}: 1\n`;
    writeFileSync(join(dir, 't.yaml'), text);
    // Rendered without fw, the bad entry is on line 2; in the file it is line 12.
    expect(errorOf(() => templateSteps(join(dir, 't.yaml'), {}))).toBe("t.yaml:12:3: unknown key 'x' in entry (execute, arguments or include)");
    expect(errorOf(() => templateSteps(join(dir, 't.yaml'), { fw: 'a.bin', bad: 'y' }))).toBe("t.yaml:12:3: unknown key 'y' in entry (execute, arguments or include)");
    // A value with a line break renders lines the file does not have: named as rendered lines.
    expect(errorOf(() => templateSteps(join(dir, 't.yaml'), { bad: 'execute: stop\n  oops' }))).toBe("t.yaml (rendered line 2, column 3): unknown key 'oops' in entry (execute, arguments or include)");
  });
  it('maps the lines a loop renders back to the loop body', () => {
    const tpl = parseTemplate('---\ndescription: d\n---\n{% for i in [1, 2] %}\n- execute: stop\n  arguments: { n: {{ i }} }\n{% endfor %}\n- execute: cont\n', 'l.yaml');
    const text = renderTemplate(tpl, {});
    const lineOf = templateLineMap(tpl, text);
    expect(text.split('\n').slice(0, 5).map((_, i) => lineOf(i + 1))).toEqual([5, 6, 5, 6, 8]);
  });
  it('up reports a missing variable and runs nothing', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'vm.yaml'), TPL);
    const k = await newKernel();
    const io = captureIo(dir);
    const out = await runUp(['vm.yaml'], k, io);
    expect(out.exitCode).toBe(1);
    expect(io.err).toBe("vmledger up: vm.yaml: missing required variable 'root' (Root disk image): give root=...\n");
    expect(k.phase).toBe('no-machine');
    await k.close();
  });
});

describe('shipped templates', () => {
  it('lists console, virtiovm and firmware-dev', () => {
    expect(listTemplates()).toEqual(['console.yaml', 'firmware-dev.yaml', 'virtiovm.yaml']);
  });
  it('console renders to the serial chardev, a QMP socket, the machine and cont', () => {
    expect(templateSteps('console', {}).map((s) => [s.execute, s.arguments])).toEqual([
      ['chardev-add', { id: 'serial0', backend: { type: 'stdio', data: {} } }],
      ['monitor-add', { protocol: 'qmp', endpoint: 'unix:vmledger.qmp' }],
      ['machine-set', { type: 'virt', memory: '128M', cpus: 1 }],
      ['cont', {}],
    ]);
  });
  it('console quotes values YAML would read as something else (serial=null stays the string "null")', () => {
    expect(templateSteps('console', { serial: 'null', qmp: '' })[0]!.arguments).toEqual({ id: 'serial0', backend: { type: 'null', data: {} } });
    expect(templateSteps('console', { serial: 'out.log', qmp: '' })[0]!.arguments).toEqual({ id: 'serial0', backend: { type: 'file', data: { out: 'out.log' } } });
  });
  it('virtiovm needs root, and adds a second disk only when data is given', () => {
    expect(errorOf(() => templateSteps('virtiovm.yaml', {}))).toMatch(/missing required variable 'root'/);
    const one = templateSteps('virtiovm.yaml', { root: 'disk.img' }).map((s) => s.execute);
    expect(one).toEqual(['chardev-add', 'monitor-add', 'blockdev-add', 'machine-set', 'device_add', 'cont']);
    const two = templateSteps('virtiovm.yaml', { root: 'disk.img', data: 'data.img', qmp: '' });
    expect(two.map((s) => s.execute)).toEqual(['chardev-add', 'blockdev-add', 'blockdev-add', 'machine-set', 'device_add', 'device_add', 'cont']);
    expect(two[2]!.arguments).toEqual({ driver: 'file', 'node-name': 'data', filename: 'data.img', snapshot: 'off' });
    expect(two[5]!.arguments).toEqual({ driver: 'virtio-blk-device', id: 'data-dev', drive: 'data' });
  });
  it('firmware-dev builds the machine and does not start it', () => {
    const steps = templateSteps('firmware-dev', { firmware: 'fw.elf' });
    expect(steps.at(-1)).toMatchObject({ execute: 'until-phase', arguments: { phase: 'machine-ready' } });
    expect(steps.some((s) => s.execute === 'cont')).toBe(false);
    expect(steps.find((s) => s.execute === 'machine-set')!.arguments).toMatchObject({ firmware: 'fw.elf' });
  });
  it('template --help says what each subcommand does', async () => {
    const io = captureIo(tmp());
    expect(await runTemplateCommand(['--help'], io)).toBe(0);
    expect(io.out).toContain('copy NAME [DEST]  copy a template to start your own');
  });
  it('template list, show and copy', async () => {
    const dir = tmp();
    const io = captureIo(dir);
    expect(await runTemplateCommand(['list'], io)).toBe(0);
    expect(io.out).toMatch(/^console\.yaml +A minimal console machine/m);
    expect(await runTemplateCommand(['show', 'virtiovm'], io)).toBe(0);
    expect(io.out).toContain('description: A virt machine with a virtio root disk');
    expect(await runTemplateCommand(['copy', 'console', 'mine.yaml'], io)).toBe(0);
    expect(readFileSync(join(dir, 'mine.yaml'), 'utf8')).toBe(readFileSync(loadTemplate('console').path, 'utf8'));
    expect(await runTemplateCommand(['copy', 'console', 'mine.yaml'], io)).toBe(1);
    expect(io.err).toMatch(/exists; not overwriting it/);
    expect(existsSync(join(dir, 'mine.yaml'))).toBe(true);
  });
});
