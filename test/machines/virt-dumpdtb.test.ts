import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKernel, type Kernel } from '../../kernel/index.js';
import { DEFAULT_PLUGINS } from '../../main/default-plugins.js';
import { decodeFdt, findNode, stringsOf } from '../../plugins/hw/fdt.js';
import { boardOf } from '../../plugins/machines/virt/index.js';
import { runCommandLine } from '../../transports/cli/index.js';
import { captureIo } from '../cli/fixtures.js';
import { runUp } from '../../transports/cli/up.js';
import { DEMO_FIRMWARE, runVmledger } from '../e2e/run-vmledger.js';
import { itNeeding, lacking } from '../needs.js';

const kernels: Kernel[] = [];
afterEach(async () => {
  for (const k of kernels.splice(0)) await k.close();
});

const dtbPath = () => join(mkdtempSync(join(tmpdir(), 'dumpdtb-')), 'x.dtb');

describe('-M virt,dumpdtb=FILE (as QEMU)', () => {
  /** Dumps the device tree of `-M virt` with `-append console=ttyS0` through the command line; returns the blob's path. */
  async function dump(): Promise<string> {
    const file = dtbPath();
    const k = await createKernel({ plugins: [...DEFAULT_PLUGINS] });
    kernels.push(k);
    const io = captureIo();
    const outcome = await runCommandLine(['-M', `virt,dumpdtb=${file}`, '-append', 'console=ttyS0', '-serial', 'null'], k, io);
    expect(io.err).toBe('');
    expect(outcome).toMatchObject({ status: 'done', exitCode: 0 });
    expect(boardOf(k.objects.get('/machine')).loop.isRunning).toBe(false);
    return file;
  }

  it('writes the board\'s device tree, and ends the command line with exit status 0 without running the guest', async () => {
    const tree = decodeFdt(new Uint8Array(readFileSync(await dump())));
    expect(stringsOf(findNode(tree, '/')!.props.get('compatible'))).toEqual(['riscv-virtio']);
    expect(stringsOf(findNode(tree, '/chosen')!.props.get('bootargs'))).toEqual(['console=ttyS0']);
    expect(findNode(tree, '/soc/serial@10000000')).toBeDefined();
  });

  itNeeding('writes a blob dtc parses', lacking('dtc'), async () => {
    const dts = execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', await dump()], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(dts).toContain('compatible = "riscv-virtio";');
    expect(dts).toContain('bootargs = "console=ttyS0";');
    expect(dts).toContain('serial@10000000 {');
  });

  it('stops the feed there: options after the machine is built do not run', async () => {
    const file = dtbPath();
    const k = await createKernel({ plugins: [...DEFAULT_PLUGINS] });
    kernels.push(k);
    const io = captureIo();
    const argv = ['-M', `virt,dumpdtb=${file}`, '-serial', 'null', '-execute', 'until-phase,phase=machine-ready', '-execute', 'set-name,name=never'];
    expect(await runCommandLine(argv, k, io)).toMatchObject({ status: 'done', exitCode: 0 });
    expect(await k.execute('query-name', {}, { transport: 'api' })).toEqual({});
  });

  it('up firmware-dev dumpdtb=FILE writes the blob and ends with status 0', async () => {
    const file = dtbPath();
    const k = await createKernel({ plugins: [...DEFAULT_PLUGINS] });
    kernels.push(k);
    const io = captureIo();
    const out = await runUp(['firmware-dev', `firmware=${DEMO_FIRMWARE}`, `dumpdtb=${file}`, 'serial=null', `qmp=${join(dirname(file), 'fw.qmp')}`], k, io);
    expect(io.err).toBe('');
    expect(out).toMatchObject({ status: 'done', exitCode: 0 });
    expect(existsSync(file)).toBe(true);
  });

  it('the program exits 0 after writing the blob', async () => {
    const file = dtbPath();
    const { code, stderr } = await runVmledger(['-M', `virt,dumpdtb=${file}`, '-nographic']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(existsSync(file)).toBe(true);
  });
});
