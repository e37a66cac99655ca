import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellsOf, decodeFdt, encodeFdt, findNode, node, prop, stringsOf } from '../../plugins/hw/fdt.js';
import { itNeeding, lacking } from '../needs.js';

const tree = node('', { '#address-cells': prop.cells(2), compatible: prop.str('riscv-virtio') }, [
  node('chosen', { bootargs: prop.str('console=ttyS0') }),
  node('soc', { ranges: prop.empty() }, [node('serial@10000000', { reg: prop.reg64([0x10000000, 0x100]), compatible: prop.strs(['a', 'b']) })]),
]);

describe('FDT encoder', () => {
  it('round-trips through the decoder', () => {
    const back = decodeFdt(encodeFdt(tree));
    expect(stringsOf(findNode(back, '/chosen')!.props.get('bootargs'))).toEqual(['console=ttyS0']);
    expect(cellsOf(findNode(back, '/soc/serial@10000000')!.props.get('reg'))).toEqual([0, 0x10000000, 0, 0x100]);
    expect(stringsOf(findNode(back, '/soc/serial@10000000')!.props.get('compatible'))).toEqual(['a', 'b']);
    expect(findNode(back, '/soc')!.props.get('ranges')!.length).toBe(0);
  });

  itNeeding('writes a blob dtc accepts', lacking('dtc'), () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdt-'));
    writeFileSync(join(dir, 't.dtb'), encodeFdt(tree));
    const dts = execFileSync('dtc', ['-I', 'dtb', '-O', 'dts', join(dir, 't.dtb')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(dts).toContain('bootargs = "console=ttyS0"');
    expect(dts).toContain('compatible = "a\\0b"');
  });

  it('rejects a blob without the magic', () => {
    expect(() => decodeFdt(new Uint8Array(64))).toThrow(/bad magic/);
    expect(() => decodeFdt(Uint8Array.of(0xd0, 0x0d, 0xfe, 0xed))).toThrow(/bad magic/);
  });

  it('says a cut-off blob is truncated instead of failing with a range error', () => {
    const blob = encodeFdt(node('', { model: prop.str('riscv-virtio,qemu') }, [node('chosen', { bootargs: prop.str('console=ttyS0') })]));
    expect(() => decodeFdt(blob.slice(0, blob.length - 40))).toThrow(/^truncated device tree: the header says \d+ bytes, the blob has \d+$/);
    // The header's size patched to match: now a property runs off the end.
    const cut = blob.slice(0, 80);
    new DataView(cut.buffer).setUint32(4, cut.length);
    expect(() => decodeFdt(cut)).toThrow(/^truncated device tree/);
  });
});
