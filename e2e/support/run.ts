// `npm test`'s e2e step: brings the local cluster up (unless it already runs), runs the e2e suites against
// it, then the down/up lifecycle suite, and takes the cluster down again if this run started it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { kzero } from './cli.js';

const mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');

function runMocha(configFile: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [mocha, '--config', configFile], { stdio: 'inherit' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<number> {
  const wasRunning = (await kzero(['status'], false)).code === 0;
  if (!wasRunning) {
    console.log('e2e: starting the local cluster (kzero up)');
    const started = await kzero(['up']);
    if (started.code !== 0) {
      console.error('e2e: kzero up failed');
      await kzero(['down']);
      return 1;
    }
  }
  let code = await runMocha('.mocharc.e2e.json');
  code ||= await runMocha('.mocharc.lifecycle.json');
  if (!wasRunning) await kzero(['down']);
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
