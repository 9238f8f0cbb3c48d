import { readFile } from 'node:fs/promises';
import { readDaemon } from '../../../local/controlplane/daemon.js';
import { config } from '../../support/cluster.js';
import { ACTIVATOR_PORT } from './raw.js';
import { serverSocketState, type SocketState } from './socket-state.js';

// What the activator process holds, seen from the host: its resident memory, and whether it still owns
// the socket of a given client connection.

/** The activator's resident set (KiB), from /proc/<pid>/status; its PID as `kzero status` finds it. */
export async function activatorRssKiB(): Promise<number> {
  const daemon = await readDaemon(config.dirs.run, 'kzero-activator');
  if (!daemon) throw new Error('the activator is not running (no live kzero-activator pid file)');
  const status = await readFile(`/proc/${daemon.pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${daemon.pid}/status`);
  return Number(m[1]);
}

/** The state of the activator's side of our connection from `clientPort`. */
export async function activatorSocket(clientPort: number): Promise<SocketState> {
  return serverSocketState(await readFile('/proc/net/tcp', 'utf8'), ACTIVATOR_PORT, clientPort);
}
