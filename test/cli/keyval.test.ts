import { describe, expect, it } from 'vitest';
import { formatKeyval, parseKeyval } from '../../transports/feed/keyval.js';

const parse = (s: string, implied?: string) => parseKeyval(s, implied).value;
const err = (s: string, implied?: string) => () => parseKeyval(s, implied);

describe('keyval (QEMU util/keyval.c rules)', () => {
  it('parses key=value pairs separated by commas', () => {
    expect(parse('a=1,b=two')).toEqual({ a: '1', b: 'two' });
  });
  it('parses the empty string as an empty object', () => {
    expect(parse('')).toEqual({});
  });
  it('escapes a comma in a value by doubling it', () => {
    expect(parse('append=console=ttyS0,,115200,id=x')).toEqual({ append: 'console=ttyS0,115200', id: 'x' });
  });
  it('does not misread ,,id= inside a value as a new key', () => {
    expect(parse('x=,,id=bar')).toEqual({ x: ',id=bar' });
  });
  it('nests dotted keys into objects', () => {
    expect(parse('a.b=1,a.c.d=2')).toEqual({ a: { b: '1', c: { d: '2' } } });
  });
  it('makes an array of a level whose keys are all numbers', () => {
    expect(parse('list.0=x,list.1=y,list.2.k=z')).toEqual({ list: ['x', 'y', { k: 'z' }] });
  });
  it('rejects a gap in array indexes', () => {
    expect(err('list.0=x,list.2=y')).toThrow("Parameter 'list.1' missing");
  });
  it('rejects mixing numeric and named keys on one level', () => {
    expect(err('a.0=x,a.b=y')).toThrow("Parameters 'a.*' used inconsistently");
  });
  it('rejects a key used both as a value and as an object', () => {
    expect(err('a.b=1,a=2')).toThrow("Parameters 'a.*' used inconsistently");
    expect(err('a.b=1,a.b.c=2')).toThrow("Parameters 'a.b.*' used inconsistently");
  });
  it('lets the last of repeated keys win', () => {
    expect(parse('a=1,a=2')).toEqual({ a: '2' });
  });
  it('takes the first element without = as the implied key', () => {
    expect(parse('virtio-blk-device,id=d0', 'driver')).toEqual({ driver: 'virtio-blk-device', id: 'd0' });
  });
  it('accepts the implied key spelled out', () => {
    expect(parse('driver=ns16550a', 'driver')).toEqual({ driver: 'ns16550a' });
  });
  it('nests a dotted implied key', () => {
    expect(parse('val', 'eins.zwei')).toEqual({ eins: { zwei: 'val' } });
  });
  it('does not imply a key after the first element', () => {
    expect(err('a=1,b', 'driver')).toThrow("Expected '=' after parameter 'b'");
  });
  it("requires '=' without an implied key", () => {
    expect(err('an,noaus=')).toThrow("Expected '=' after parameter 'an'");
  });
  it('rejects an empty key', () => {
    expect(err(',')).toThrow("Invalid parameter ''");
    expect(err('=x')).toThrow("Invalid parameter ''");
  });
  it('ignores one trailing comma', () => {
    expect(parse('x=y,')).toEqual({ x: 'y' });
  });
  it('rejects keys that are not QAPI names', () => {
    expect(err('a b=1')).toThrow("Invalid parameter 'a b'");
    expect(err('a..b=1')).toThrow("Invalid parameter 'a..b'");
  });
  it('rejects a key fragment longer than 127 characters', () => {
    expect(err(`${'k'.repeat(128)}=v`)).toThrow(/is too long/);
  });
  it('recognises help and ? as a help request', () => {
    expect(parseKeyval('help').help).toBe(true);
    expect(parseKeyval('?').help).toBe(true);
    const r = parseKeyval('ns16550a,help', 'driver');
    expect(r).toEqual({ value: { driver: 'ns16550a' }, help: true });
  });
  it('keeps every value a string: typing is the schema’s job', () => {
    expect(parse('size=128M,on=on,n=1')).toEqual({ size: '128M', on: 'on', n: '1' });
  });
  it('formats an object back into keyval that parses to the same tree', () => {
    const obj = { driver: 'x', a: { b: 'c,d' }, l: ['1', '2'], flag: true };
    const text = formatKeyval(obj, 'driver')!;
    expect(text).toBe('x,a.b=c,,d,l.0=1,l.1=2,flag=on');
    expect(parse(text, 'driver')).toEqual({ ...obj, flag: 'on' });
  });
  it('refuses to format what keyval cannot say (empty arrays, null)', () => {
    expect(formatKeyval({ a: [] })).toBeUndefined();
    expect(formatKeyval({ a: null })).toBeUndefined();
  });
});
