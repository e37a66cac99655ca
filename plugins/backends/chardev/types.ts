import { fail, t, tlsCredentials, type KernelContext, type ObjectTypeDecl, type QObject } from '../../../kernel/index.js';
import type { CharBackendBase } from './char-base.js';
import { FileChardev, NullChardev, RingbufChardev, StdioChardev } from './simple.js';
import { SocketChardev, type SocketAddress } from './socket.js';

/** Where chardevs live in the object tree. */
export const CHARDEVS_PATH = '/chardevs';
/** The abstract parent of every chardev type. */
export const CHARDEV = 'chardev';

type Opener = (obj: QObject, ctx: KernelContext) => CharBackendBase | Promise<CharBackendBase>;

/**
 * Declares a chardev type whose host side is opened at realize, only
 * through the broker, and never during replay (a null chardev stands in).
 * A mux gets Ctrl-A x: a shutdown the host asked for (reason `host-ui`, as
 * QEMU's), through the kernel's guest-control API because it is the one a
 * plugin may keep and use outside a command; it honours `-no-shutdown` and
 * exits the program with status 0.
 */
function chardevType(name: string, doc: string, props: ObjectTypeDecl['props'], open: Opener): ObjectTypeDecl {
  return {
    name: `chardev-${name}`,
    parent: CHARDEV,
    doc,
    props,
    async realize(obj, ctx) {
      const mux = obj.get('mux') === true;
      const runtime = ctx.mode === 'replay' ? new NullChardev(mux) : await open(obj, ctx);
      if (mux && ctx.mode === 'live') {
        const guest = ctx.guest;
        runtime.onQuit = () => guest.shutdown('host-ui', 0);
      }
      obj.runtime = runtime;
    },
    async unrealize(obj) {
      await (obj.runtime as CharBackendBase | undefined)?.close();
      obj.runtime = undefined;
    },
  };
}

const str = (obj: QObject, p: string) => obj.get(p) as string | undefined;

/** Every chardev type: the abstract parent first. */
export const CHARDEV_TYPES: ObjectTypeDecl[] = [
  {
    name: CHARDEV,
    parent: 'object',
    abstract: true,
    doc: 'A character device back-end (serial consoles, monitors)',
    props: { mux: { type: t.bool(), default: false, doc: 'Share between several front-ends; Ctrl-A c switches (QEMU mux=on)', settable: 'create' } },
  },
  chardevType('null', 'Discards output', {}, (obj) => new NullChardev(obj.get('mux') === true)),
  chardevType(
    'stdio',
    "The program's standard input and output",
    { signal: { type: t.bool(), default: true, doc: 'Ctrl-C on a terminal ends the program (QEMU signal=on); off passes it to the guest', settable: 'create' } },
    (obj, ctx) => new StdioChardev(obj.get('mux') === true, ctx.broker.claimStdio(`chardev '${obj.name}'`), obj.get('signal') !== false),
  ),
  chardevType(
    'file',
    'Writes output to a file',
    {
      path: { type: t.host('file', 'rw'), doc: 'Output file', settable: 'create' },
      append: { type: t.bool(), default: false, doc: 'Append instead of truncating', settable: 'create' },
      input: { type: t.host('file', 'r'), doc: 'File whose contents are sent to the device', settable: 'create' },
    },
    (obj, ctx) =>
      FileChardev.open(str(obj, 'path') ?? fail("Parameter 'path' is missing"), ctx.broker, {
        append: obj.get('append') === true,
        input: str(obj, 'input'),
        mux: obj.get('mux') === true,
      }),
  ),
  chardevType(
    'socket',
    'A Unix or TCP socket, as server or client',
    {
      path: { type: t.host('socket', 'rw'), doc: 'Unix socket path', settable: 'create' },
      host: { type: t.str(), doc: 'TCP host (loopback unless the program allows more)', settable: 'create' },
      port: { type: t.int(), doc: 'TCP port (0: any free port, when listening)', settable: 'create' },
      server: { type: t.bool(), default: true, doc: 'Listen instead of connecting', settable: 'create' },
      wait: { type: t.bool(), default: false, doc: 'Listening: not ready until the first client connects', settable: 'create' },
      'tls-creds': { type: t.str(), doc: 'Id of a tls-creds-x509 or tls-creds-psk object: peers complete a TLS handshake (endpoint=server to listen, client to connect)', settable: 'create' },
    },
    (obj, ctx) => {
      const path = str(obj, 'path');
      const port = obj.get('port') as number | undefined;
      const address: SocketAddress =
        path !== undefined ? { type: 'unix', path } : port !== undefined ? { type: 'inet', host: str(obj, 'host') ?? '127.0.0.1', port } : fail("chardev socket needs 'path' or 'port'");
      const server = obj.get('server') !== false;
      const credsId = str(obj, 'tls-creds');
      const tls = credsId === undefined ? undefined : tlsCredentials(ctx.objects, credsId, server ? 'server' : 'client');
      return SocketChardev.open(ctx.broker, address, { server, wait: obj.get('wait') === true, mux: obj.get('mux') === true, tls });
    },
  ),
  chardevType(
    'ringbuf',
    'A ring buffer in memory, read and written with ringbuf-read/ringbuf-write',
    { size: { type: t.int(), default: 65536, doc: 'Buffer size in bytes (a power of 2)', settable: 'create' } },
    (obj) => new RingbufChardev(obj.get('size') as number, obj.get('mux') === true),
  ),
];
