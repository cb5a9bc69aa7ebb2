import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const KEEL = join(import.meta.dirname, '..', '..', 'bin', 'keel.js');

/** Runs a `keel` CLI command to completion and returns its stdout; throws on failure. */
export function runKeel(args: string[], env: NodeJS.ProcessEnv): string {
  // A bounded wait: a command that hangs fails the caller instead of blocking it forever.
  const result = spawnSync(process.execPath, [KEEL, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`keel ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

export interface KeelProcess {
  child: ChildProcess;
  base: string;
  /** Peak resident memory of the server process so far (VmHWM), in MB. */
  peakRssMb(): number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `keel start` as a child process and resolves once it listens (or, for
 * `--role worker`, which serves no HTTP, once it says it runs; `base` is then empty).
 */
export async function startKeel(env: NodeJS.ProcessEnv, args: string[] = ['start', '--no-demo']): Promise<KeelProcess> {
  // e.g. KEEL_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
  const nodeArgs = (process.env.KEEL_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, KEEL, ...args], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', KEEL_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`keel start did not come up: ${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /API reference:\s+(http:\/\/localhost:\d+)/.exec(output);
      if (match || output.includes('Keel is running (worker)')) {
        clearTimeout(timer);
        resolve(match ? match[1]!.replace('localhost', '127.0.0.1') : '');
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`keel start exited (${code}): ${output}`));
    });
  });
  return {
    child,
    base,
    peakRssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
    stop(signal = 'SIGTERM') {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      });
    },
  };
}
