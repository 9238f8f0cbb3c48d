import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Host processes of the local cluster (etcd, the control plane, the node agent): started detached with
 * their output in $KZERO_HOME/logs/<name>.log and a pid file that also records the process start time,
 * so a recycled PID is never mistaken for ours.
 */
export interface DaemonRecord {
  pid: number;
  startTime: string;
  argv: string[];
}

const pidFile = (runDir: string, name: string): string => join(runDir, `${name}.pid`);

/** The process start time from /proc (field 22 of stat), or undefined if the process is gone. */
export async function processStartTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after its closing parenthesis are fixed.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    if (state === 'Z' || state === 'X') return undefined;
    return rest[19];
  } catch {
    return undefined;
  }
}

export async function readDaemon(runDir: string, name: string): Promise<DaemonRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(pidFile(runDir, name), 'utf8')) as DaemonRecord;
    const start = await processStartTime(record.pid);
    return start !== undefined && start === record.startTime ? record : undefined;
  } catch {
    return undefined;
  }
}

export async function startDaemon(opts: { name: string; argv: string[]; runDir: string; logDir: string; env?: NodeJS.ProcessEnv }): Promise<DaemonRecord> {
  await mkdir(opts.runDir, { recursive: true });
  await mkdir(opts.logDir, { recursive: true });
  const [cmd, ...args] = opts.argv;
  if (!cmd) throw new Error(`daemon ${opts.name}: empty command`);
  const log = openSync(join(opts.logDir, `${opts.name}.log`), 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log], env: opts.env ?? process.env });
    const pid = child.pid;
    if (pid === undefined) {
      const err = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new Error(`starting ${opts.name} (${cmd}): ${err.message}`);
    }
    child.unref();
    const startTime = await processStartTime(pid);
    if (startTime === undefined) throw new Error(`${opts.name} exited at once: see ${join(opts.logDir, `${opts.name}.log`)}`);
    const record: DaemonRecord = { pid, startTime, argv: opts.argv };
    await writeFile(pidFile(opts.runDir, opts.name), JSON.stringify(record));
    return record;
  } finally {
    closeSync(log);
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopDaemon(runDir: string, name: string, graceMs = 10_000): Promise<boolean> {
  const record = await readDaemon(runDir, name);
  await rm(pidFile(runDir, name), { force: true });
  if (!record) return false;
  await terminate(record.pid, record.startTime, graceMs);
  return true;
}

export async function terminate(pid: number, startTime: string, graceMs: number): Promise<void> {
  const alive = async (): Promise<boolean> => (await processStartTime(pid)) === startTime;
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await alive())) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  signal(pid, 'SIGKILL');
  while (await alive()) await new Promise((r) => setTimeout(r, 20));
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
