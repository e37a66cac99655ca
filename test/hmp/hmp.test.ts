/** The human monitor over a real Unix socket: every command is a formatter around the QMP commands, origin `hmp`. */
import { rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { SqliteLogStore } from '../../kernel/log/sqlite-log-store.js';
import { hmpPlugin, HMP_PROMPT, splitCommandLine } from '../../transports/hmp/index.js';
import { qmpPlugin } from '../../transports/qmp/index.js';
import { tempDir } from '../qmp/qmp-client.js';
import { testPlugin } from '../qmp/test-plugin.js';

/** A person at the other end of the socket: types a line, reads up to the next prompt. */
class Human {
  private buf = '';
  private wake: (() => void) | undefined;
  constructor(private readonly s: net.Socket) {
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      this.buf += d;
      this.wake?.();
    });
  }
  static connect(path: string): Promise<Human> {
    return new Promise((r) => {
      const s = net.connect(path, () => r(new Human(s)));
    });
  }
  async untilPrompt(): Promise<string> {
    for (;;) {
      const i = this.buf.indexOf(HMP_PROMPT);
      if (i >= 0) {
        const out = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + HMP_PROMPT.length);
        return out.replace(/\n$/, '');
      }
      await new Promise<void>((r) => (this.wake = r));
    }
  }
  async type(line: string): Promise<string> {
    this.s.write(`${line}\n`);
    return this.untilPrompt();
  }
  close(): void {
    this.s.destroy();
  }
}

let dir: string;
let kernel: Kernel;
let log: SqliteLogStore;
let me: Human;

beforeAll(async () => {
  dir = tempDir('vmledger-hmp-');
  log = SqliteLogStore.open(join(dir, 'log.sqlite'));
  kernel = await createKernel({ plugins: [qmpPlugin, hmpPlugin, testPlugin().plugin], log, logQueries: true });
  await kernel.execute('monitor-add', { protocol: 'hmp', endpoint: `unix:${join(dir, 'hmp.sock')}` }, { transport: 'api' });
  kernel.setConfigured();
  me = await Human.connect(join(dir, 'hmp.sock'));
  expect(await me.untilPrompt()).toMatch(/monitor - type 'help' for more information/);
});
afterAll(async () => {
  me.close();
  await kernel.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HMP', () => {
  it('lists commands and info subcommands in help', async () => {
    const help = await me.type('help');
    for (const c of ['device_add', 'device_del', 'object_add', 'qom-get', 'qom-set', 'stop', 'cont', 'system_reset', 'quit', 'info status', 'info qom-tree', 'info log'])
      expect(help).toContain(c);
  });

  it('formats info status as QEMU does', async () => {
    expect(await me.type('info status')).toBe('VM status: paused (prelaunch)');
  });

  it('formats info version from query-version', async () => {
    expect(await me.type('info version')).toBe('7.2.0 (vmledger 0.1.0)');
  });

  it('lists QMP commands, including plugin commands', async () => {
    const list = (await me.type('info commands')).split('\n');
    expect(list).toContain('query-status');
    expect(list).toContain('test-emit');
    expect(list).toContain('qmp_capabilities');
  });

  it('reports errors on one line', async () => {
    expect(await me.type('qom-get /nope type')).toBe("Error: Device '/nope' not found");
    expect(await me.type('device_del')).toMatch(/^Error: missing argument/);
    expect(await me.type('frobnicate')).toBe("unknown command: 'frobnicate'");
  });

  it('device_add parses keyval and goes through the dispatcher', async () => {
    const out = await me.type('device_add no-such-driver,id=d0');
    expect(out.split('\n')).toHaveLength(1);
    expect(out).toMatch(/^Error: /);
  });

  it('shows the QOM tree and lists properties', async () => {
    const tree = await me.type('info qom-tree');
    expect(tree.split('\n')[0]).toBe('/ (container)');
    expect(await me.type('qom-list /')).toContain('(child<');
  });

  it('stop and cont run the QMP commands', async () => {
    expect(await me.type('stop')).toBe('');
  });

  it('records every command with origin hmp in the log, shown by info log', async () => {
    const entries = [...log.entries()].filter((e) => e.origin.transport === 'hmp');
    expect(entries.map((e) => e.command)).toEqual(expect.arrayContaining(['query-status', 'query-version', 'qom-get', 'device_add', 'stop']));
    for (const e of entries) expect(e.origin.client).toBe('conn-1');
    const shown = await me.type('info log 3');
    expect(shown.split('\n')).toHaveLength(3);
    expect(shown).toMatch(/\[hmp unix:.*conn-1\] stop/);
  });

  it('human-monitor-command runs an HMP line through QMP and returns what the human monitor prints, with QEMU\'s line endings', async () => {
    const api = { transport: 'qmp', endpoint: 'test' };
    expect(await kernel.execute('human-monitor-command', { 'command-line': 'info status' }, api)).toBe('VM status: paused (prelaunch)\r\n');
    expect(await kernel.execute('human-monitor-command', { 'command-line': 'info version' }, api)).toBe('7.2.0 (vmledger 0.1.0)\r\n');
    expect(await kernel.execute('human-monitor-command', { 'command-line': 'nonsense' }, api)).toBe("unknown command: 'nonsense'\r\n");
    await kernel.execute('human-monitor-command', { 'command-line': 'qom-set /settings name through-qmp' }, api);
    expect(await kernel.execute('query-name', {}, api)).toEqual({ name: 'through-qmp' });
    const logged = [...log.entries()].filter((e) => e.command === 'human-monitor-command').map((e) => (e.args as Record<string, unknown>)['command-line']);
    expect(logged).toEqual(['info status', 'info version', 'nonsense', 'qom-set /settings name through-qmp']);
  });

  it('splits command lines into name, words and the raw rest', () => {
    expect(splitCommandLine('  device_add  virtio-blk,drive=d0 ')).toEqual({ name: 'device_add', words: ['virtio-blk,drive=d0'], rest: 'virtio-blk,drive=d0' });
  });
});
