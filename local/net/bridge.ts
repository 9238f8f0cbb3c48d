import { ip, ipQuiet } from './ip.js';

/** Creates the node's bridge with the gateway address if it is not there (idempotent). */
export async function ensureBridge(name: string, gatewayIp: string, prefixLength = 16): Promise<void> {
  const show = await ipQuiet(['-o', 'addr', 'show', 'dev', name]);
  if (show.code !== 0) {
    await ip(['link', 'add', name, 'type', 'bridge']);
  }
  if (!show.stdout.includes(` ${gatewayIp}/`)) {
    await ip(['addr', 'replace', `${gatewayIp}/${prefixLength}`, 'dev', name]);
  }
  await ip(['link', 'set', name, 'up']);
}

export async function deleteBridge(name: string): Promise<void> {
  const r = await ipQuiet(['link', 'del', name]);
  if (r.code !== 0 && !/Cannot find device|does not exist/.test(r.stderr)) {
    throw new Error(`deleting bridge ${name}: ${r.stderr.trim()}`);
  }
}
