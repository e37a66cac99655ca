/**
 * Time from process start to the QMP greeting for a 50-option command line,
 * in one run against two references: bare `node -e ''` (the floor any
 * Node program pays) and `qemu-system-riscv64` with an equivalent command
 * line. Then where vmledger's time goes: runs with bench/startup-probe.mjs
 * preloaded, which reports the start-up marks main/vmledger.ts makes (the
 * preload itself costs a few ms, so these runs are not the headline figure).
 * Needs `npm run build` (dist/vmledger.mjs).
 *
 *   npx tsx bench/cli-startup.ts [runs=7]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKernel } from '../kernel/index.js';
import { DEFAULT_PLUGINS } from '../main/default-plugins.js';
import { expandArgv, feedSteps, kernelEnv } from '../transports/cli/index.js';

const RUNS = Number(process.argv[2] ?? 7);
const dir = mkdtempSync(join(tmpdir(), 'vmledger-bench-'));

/** The options both programs share: machine settings and 32 chardevs. */
function common(): string[] {
  const argv = ['-M', 'virt', '-m', '256M', '-smp', '2', '-name', 'bench', '-nodefaults', '-no-user-config', '-display', 'none', '-S', '-no-reboot'];
  for (let i = 0; i < 32; i++) argv.push('-chardev', `null,id=c${i}`);
  return argv;
}
/** 50 options for vmledger: the common ones, 8 virtio-mmio transports, a QMP socket. */
function options(sock: string): string[] {
  const argv = common();
  for (let i = 0; i < 8; i++) argv.push('-device', `virtio-mmio,id=vm${i}`);
  return [...argv, '-qmp', `unix:${sock},server=on,wait=off`];
}
/** QEMU's virt board has its 8 virtio-mmio transports built in; a -global on them stands in for each -device. */
function qemuOptions(sock: string): string[] {
  const argv = common();
  for (let i = 0; i < 8; i++) argv.push('-global', 'virtio-mmio.force-legacy=false');
  return [...argv, '-qmp', `unix:${sock},server=on,wait=off`];
}
const countOptions = (argv: string[]) => argv.filter((a) => a.startsWith('-')).length;

/** Spawns, then polls the socket until the greeting line arrives; returns milliseconds from spawn and what the program wrote on stderr. */
function greeting(cmd: string, args: string[], sock: string): Promise<{ ms: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    rmSync(sock, { force: true });
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => reject(new Error(`${cmd} exited (${code}) before greeting: ${stderr}`)));
    const attempt = (): void => {
      const s = connect(sock);
      s.once('error', () => setTimeout(attempt, 1));
      s.once('data', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        s.destroy();
        child.removeAllListeners('exit');
        child.on('close', () => resolve({ ms, stderr }));
        child.kill('SIGKILL');
      });
    };
    attempt();
  });
}
const timeToGreeting = async (cmd: string, args: string[], sock: string) => (await greeting(cmd, args, sock)).ms;

/** The start-up steps, as the marks that end them; the probe reports each in ms since the process started. */
const STEPS: ReadonlyArray<readonly [mark: string, step: string]> = [
  ['node-ready', 'Node itself (until the preload runs)'],
  ['main', 'loading and evaluating the bundle'],
  ['log-opened', 'opening the command log'],
  ['kernel-created', 'the kernel with its plugins'],
  ['command-line-run', 'the command line (50 options)'],
];

/** One breakdown run: each step's ms, the last step running until the greeting arrived (with spawn and exec). */
async function breakdown(args: string[], sock: string): Promise<number[]> {
  const { ms, stderr } = await greeting(process.execPath, ['--import', PROBE, ...args], sock);
  const at = new Map([...stderr.matchAll(/^startup-probe (\S+) ([\d.]+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
  const times = STEPS.map(([mark]) => {
    const t = at.get(mark);
    if (t === undefined) throw new Error(`the probe reported no '${mark}' mark: ${stderr}`);
    return t;
  });
  return [...times.map((t, i) => t - (times[i - 1] ?? 0)), ms - times[times.length - 1]!];
}

function timeToExit(cmd: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  spawnSync(cmd, args);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const PROBE = new URL('./startup-probe.mjs', import.meta.url).href;

async function main(): Promise<void> {
  const bundle = join(process.cwd(), 'dist', 'vmledger.mjs');
  if (!existsSync(bundle)) throw new Error('dist/vmledger.mjs missing: run npm run build');
  const sock = join(dir, 'q.sock');
  const vmArgs = [bundle, ...options(sock), '-log', ''];
  const rows: Array<[string, number[]]> = [['node -e ""', []], ['vmledger', []], ['qemu-system-riscv64', []]];
  const haveQemu = spawnSync('qemu-system-riscv64', ['--version']).status === 0;
  for (let r = 0; r < RUNS; r++) {
    rows[0]![1].push(timeToExit(process.execPath, ['-e', '']));
    const log = join(dir, `log${r}.db`);
    vmArgs[vmArgs.length - 1] = log;
    rows[1]![1].push(await timeToGreeting(process.execPath, vmArgs, sock));
    if (haveQemu) rows[2]![1].push(await timeToGreeting('qemu-system-riscv64', qemuOptions(sock), sock));
  }
  // The command line's own share: expanding and feeding the same 50 options in process (no QMP socket opened).
  const inProcess: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const kernel = await createKernel({ plugins: DEFAULT_PLUGINS });
    const t0 = process.hrtime.bigint();
    const { steps } = expandArgv(options(sock).slice(0, -2), kernelEnv(kernel));
    await feedSteps(steps, kernel.host);
    inProcess.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await kernel.close();
  }
  rows.push(['  of which expand+feed', inProcess]);
  console.log(`start -> QMP greeting, ${countOptions(options(sock))} options, median of ${RUNS} runs (ms)`);
  for (const [name, xs] of rows) if (xs.length) console.log(`  ${name.padEnd(22)} ${median(xs).toFixed(1).padStart(8)}   (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`);
  console.log(`  vmledger / bare node    ${(median(rows[1]![1]) / median(rows[0]![1])).toFixed(2)}x`);

  const steps: number[][] = STEPS.map(() => []).concat([[]]);
  for (let r = 0; r < RUNS; r++) {
    vmArgs[vmArgs.length - 1] = join(dir, `probe${r}.db`);
    (await breakdown(vmArgs, sock)).forEach((ms, i) => steps[i]!.push(ms));
  }
  console.log(`where vmledger's time goes (with the probe preloaded), median of ${RUNS} runs (ms)`);
  [...STEPS.map(([, step]) => step), 'until the greeting arrives (listen, accept, spawn)'].forEach((step, i) =>
    console.log(`  ${step.padEnd(52)} ${median(steps[i]!).toFixed(1).padStart(7)}`));
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
