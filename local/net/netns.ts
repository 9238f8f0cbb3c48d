import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { ip, ipBatch, ipQuiet } from './ip.js';

/** Every network namespace kzero makes starts with this, so `kzero down` can find them all. */
export const NETNS_PREFIX = 'kz-';

export function podNetnsName(podUid: string): string {
  return NETNS_PREFIX + podUid;
}

/** The host end of a pod's veth: interface names are at most 15 bytes, so a hash of the pod UID. */
export function hostVethName(podUid: string): string {
  return 'kzv' + createHash('sha256').update(podUid).digest('hex').slice(0, 11);
}

export interface PodNetwork {
  netns: string;
  ip: string;
}

/**
 * Creates a pod's network namespace with loopback and `eth0` on the bridge, as a CNI bridge plugin does.
 * Three `ip` processes in all (host side, then pod side in one batch).
 */
export async function createPodNetwork(podUid: string, podIp: string, bridge: string, gateway: string, prefixLength = 16): Promise<PodNetwork> {
  const netns = podNetnsName(podUid);
  const veth = hostVethName(podUid);
  await deletePodNetwork(podUid); // a leftover from a crash would make `netns add` fail
  await ip(['netns', 'add', netns]);
  await ipBatch([
    `link add ${veth} type veth peer name eth0 netns ${netns}`,
    `link set ${veth} master ${bridge}`,
    `link set ${veth} up`,
  ]);
  await ipBatch([
    'link set lo up',
    `addr add ${podIp}/${prefixLength} dev eth0`,
    'link set eth0 up',
    `route add default via ${gateway}`,
  ], netns);
  return { netns, ip: podIp };
}

/** PIDs of every process inside a namespace (pod processes and anything they forked). */
export async function netnsPids(netns: string): Promise<number[]> {
  const r = await ipQuiet(['netns', 'pids', netns]);
  if (r.code !== 0) return [];
  return r.stdout.split('\n').filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 0);
}

/** Kills whatever still runs in the pod's namespace and deletes it (its veth pair goes with it). */
export async function deletePodNetwork(podUid: string): Promise<void> {
  await deleteNetns(podNetnsName(podUid));
}

export async function deleteNetns(netns: string): Promise<void> {
  for (const pid of await netnsPids(netns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const r = await ipQuiet(['netns', 'del', netns]);
  if (r.code !== 0 && !/No such file|not found|Cannot remove/.test(r.stderr)) {
    throw new Error(`deleting network namespace ${netns}: ${r.stderr.trim()}`);
  }
}

/** The network namespaces kzero made (from /run/netns, where `ip netns add` puts them). */
export async function listKzeroNetns(): Promise<string[]> {
  try {
    return (await readdir('/run/netns')).filter((n) => n.startsWith(NETNS_PREFIX));
  } catch {
    return [];
  }
}
