#!/usr/bin/env node
// The `kzero` command: the local cluster (up, down, status) and kubectl against it.
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseFlags } from '../lib/flags.js';
import { messageOf } from '../lib/errors.js';
import { localClusterConfig } from '../local/config.js';
import { down, status, up } from '../local/controlplane/cluster.js';
import { writePackage } from './package.js';
import { deploySample } from './sample.js';

const USAGE = `kzero: Knative-compatible scale-to-zero serverless on Kubernetes

Usage:
  kzero up [--sample]     start the local cluster (builds Kubernetes on first run); --sample deploys helloworld
  kzero down [--purge]    stop everything the local cluster runs; --purge also deletes its state
  kzero status            show what runs
  kzero kubectl ARGS...   kubectl (the cluster's own version) with the local cluster's kubeconfig
  kzero package DIR [--output FILE]
                          DIR as a code package for pool-backed Revisions (DIR.tgz by default); prints the
                          kzero.dev/code-sha256 annotation to use with it

Environment:
  KZERO_HOME   state, logs and kubeconfig (default ~/.kzero)
  KZERO_CACHE  build cache for the Kubernetes binaries (default ~/.cache/kzero)
`;

const say = (line: string): void => console.log(`kzero: ${line}`);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = localClusterConfig();
  const { flags, positional } = parseFlags(rest);
  switch (command) {
    case 'up': {
      const started = Date.now();
      const kc = await up(config, say);
      const kubeconfig = join(config.home, 'kubeconfig');
      say(`local cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      console.log(`\n  export KUBECONFIG=${kubeconfig}\n  alias kubectl=${join(config.binDir, 'kubectl')}   # or: kzero kubectl ...\n`);
      if (flags.has('sample')) {
        const url = await deploySample(config, kc);
        console.log(`  sample Knative Service default/hello answers through the activator (it scales to zero when idle):\n    curl ${url}\n`);
      }
      return 0;
    }
    case 'down':
      await down(config, say, flags.has('purge'));
      say('local cluster stopped');
      return 0;
    case 'status': {
      const rows = await status(config);
      for (const r of rows) console.log(`${r.name.padEnd(24)} ${r.running ? `running (pid ${r.pid})` : 'stopped'}`.padEnd(50) + `  ${r.log}`);
      return rows.every((r) => r.running) ? 0 : 3;
    }
    case 'kubectl': {
      const r = spawnSync(join(config.binDir, 'kubectl'), ['--kubeconfig', join(config.home, 'kubeconfig'), ...rest], { stdio: 'inherit' });
      return r.status ?? 1;
    }
    case 'package': {
      const dir = positional[0];
      if (!dir) {
        console.error('kzero package: want a directory (kzero package DIR [--output FILE])');
        return 2;
      }
      const out = flags.get('output') ?? `${dir.replace(/\/+$/, '')}.tgz`;
      const { bytes, sha256 } = await writePackage(dir, out);
      say(`wrote ${out} (${bytes} bytes); serve it over http(s) and annotate the Revision template with:`);
      console.log(`    kzero.dev/pool: <your PodPool>\n    kzero.dev/code: <the URL of ${out}>\n    kzero.dev/code-sha256: ${sha256}`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return 0;
    default:
      console.error(`kzero: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`kzero: ${messageOf(err)}`);
    process.exit(1);
  },
);
