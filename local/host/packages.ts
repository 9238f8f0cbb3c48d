import { run, runVisible } from './run.js';

/** Debian packages the local cluster needs at run time. The Kubernetes build installs its own. */
export const RUNTIME_PACKAGES = ['etcd-server', 'iproute2', 'openssl', 'util-linux', 'procps'] as const;

/** Installs whichever of `packages` are missing, with apt-get (as root); prints what it does. */
export async function ensureDebianPackages(packages: readonly string[], say: (line: string) => void): Promise<void> {
  const missing: string[] = [];
  for (const p of packages) {
    const r = await run('dpkg-query', ['-W', '-f=${Status}', p]);
    if (r.code !== 0 || !r.stdout.includes('install ok installed')) missing.push(p);
  }
  if (missing.length === 0) return;
  requireRoot(`installing Debian packages (${missing.join(', ')})`);
  say(`installing Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await runVisible('apt-get', ['update', '-qq'], env);
  await runVisible('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], env);
}

export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) {
    throw new Error(`${what} needs root: run kzero as root (sudo -E kzero ...)`);
  }
}
