import { run, runVisible } from './run.js';

/** Debian packages the local cluster needs at run time. The Kubernetes build installs its own. */
export const RUNTIME_PACKAGES = ['etcd-server', 'iproute2', 'openssl', 'util-linux', 'procps'] as const;

/** Installs whichever of `packages` are missing, with apt-get (as root); prints what it does. */
export async function ensureDebianPackages(packages: readonly string[], say: (line: string) => void): Promise<void> {
  // One dpkg-query for all: it prints a line per known package, and nothing for unknown ones.
  const r = await run('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...packages]);
  const installed = new Set(r.stdout.split('\n').filter((l) => l.endsWith('install ok installed')).map((l) => l.split(' ')[0]));
  const missing = packages.filter((p) => !installed.has(p));
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
