import { readdir, readFile } from 'node:fs/promises';
import { podNetnsName, listKzeroNetns, netnsPids } from '../../local/net/netns.js';
import { ipQuiet } from '../../local/net/ip.js';

// Host-side facts the e2e tests check: processes, network namespaces, links.

/** PIDs inside the pod's network namespace (its container processes). */
export function podPids(podUid: string): Promise<number[]> {
  return netnsPids(podNetnsName(podUid));
}

export async function netnsExists(podUid: string): Promise<boolean> {
  return (await listKzeroNetns()).includes(podNetnsName(podUid));
}

/** Command lines of every process on the host whose argv contains `needle`. */
export async function processesMatching(needle: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').join(' ').trim();
      if (cmd.includes(needle)) out.push(`${entry}: ${cmd}`);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

export async function linkExists(name: string): Promise<boolean> {
  return (await ipQuiet(['link', 'show', name])).code === 0;
}
