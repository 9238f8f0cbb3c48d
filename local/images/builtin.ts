/**
 * The images the process node knows out of the box: the Knative samples,
 * played by the Node apps in ./apps, and shell-only base images that run the
 * host's /bin/sh, and kzero's warm runtime (runtime/main.js) for pool pods and their fallback Deployments,
 * and test apps under kzero.dev/testing/ (the recorder that the activator's adversarial e2e suite targets).
 */
import path from 'node:path';
import type { ImageEntry, ImageTable } from './table.js';

/**
 * @param nodeBinary absolute path of the node executable that runs the apps
 * @param appsDir absolute directory holding the compiled apps (helloworld.js, autoscale.js, recorder.js)
 * @param runtimeMain absolute path of the compiled warm runtime (dist/runtime/main.js)
 */
export function builtinImageTable(nodeBinary: string, appsDir: string, runtimeMain: string): ImageTable {
  const app = (file: string, description: string): ImageEntry => ({
    entrypoint: [nodeBinary, path.join(appsDir, file)],
    cmd: [],
    description,
  });
  // Like the real images, these have no ENTRYPOINT: the pod must give a command.
  const shell = (description: string): ImageEntry => ({ entrypoint: [], cmd: ['/bin/sh'], description });

  // Fresh objects per key, so a caller mutating one entry cannot change another.
  const helloworld = (): ImageEntry => app('helloworld.js', 'Knative helloworld-go sample (local Node app)');
  const autoscale = (): ImageEntry => app('autoscale.js', 'Knative autoscale-go sample (local Node app)');
  return new Map<string, ImageEntry>([
    ['ghcr.io/knative/helloworld-go', helloworld()],
    ['gcr.io/knative-samples/helloworld-go', helloworld()],
    ['ghcr.io/knative/autoscale-go', autoscale()],
    ['gcr.io/knative-samples/autoscale-go', autoscale()],
    ['kzero.dev/testing/recorder', app('recorder.js', 'records every request it receives (local Node app, for e2e tests)')],
    ['kzero.dev/runtime-node', { entrypoint: [nodeBinary, runtimeMain], cmd: [], description: 'kzero warm runtime (Node)' }],
    ['docker.io/library/busybox', shell('busybox (host /bin/sh)')],
    ['docker.io/library/alpine', shell('alpine (host /bin/sh)')],
    ['docker.io/library/debian', shell('debian (host /bin/sh)')],
  ]);
}
