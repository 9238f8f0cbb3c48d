import { access, constants } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runVisible } from './run.js';

export const KUBE_BINARIES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'] as const;

// The script lives in the source tree (local/scripts), two levels above this compiled file's folder.
const buildScript = fileURLToPath(new URL('../../../local/scripts/build-kubernetes.sh', import.meta.url));

/** True when every control-plane binary is in `binDir`. */
export async function haveKubernetesBinaries(binDir: string): Promise<boolean> {
  try {
    await Promise.all(KUBE_BINARIES.map((b) => access(join(binDir, b), constants.X_OK)));
    return true;
  } catch {
    return false;
  }
}

/** Builds and caches the Kubernetes binaries from Debian's source package, once; later calls return at once. */
export async function ensureKubernetesBinaries(binDir: string, say: (line: string) => void): Promise<void> {
  if (await haveKubernetesBinaries(binDir)) return;
  say(`building Kubernetes from Debian's source package into ${binDir} (first run only)`);
  await runVisible('bash', [buildScript, binDir]);
}
