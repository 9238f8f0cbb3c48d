import { existsSync } from 'node:fs';
import { mustRun, run } from '../host/run.js';

// iproute2's `ip`, by absolute path: pod processes are spawned with the pod's PATH, not ours.
export const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p)) ?? 'ip';

export const ip = (args: readonly string[]): Promise<string> => mustRun(IP, args);
export const ipQuiet = (args: readonly string[]) => run(IP, args);

/** Runs several `ip` commands in one process (`ip -batch`): one fork instead of one per command. */
export async function ipBatch(lines: readonly string[], netns?: string): Promise<void> {
  const args = netns ? ['-n', netns, '-batch', '-'] : ['-batch', '-'];
  await mustRun(IP, args, { input: lines.join('\n') + '\n' });
}
