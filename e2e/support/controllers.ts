import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { config } from './cluster.js';

const CONTROLLER = fileURLToPath(new URL('../../controller/main.js', import.meta.url));

/** A controller process for one shard, as the local cluster runs them, with its output kept for assertions. */
export class ShardController {
  readonly child: ChildProcess;
  output = '';

  constructor(readonly shard: string) {
    this.child = spawn(process.execPath, [CONTROLLER, `--shard=${shard}`, `--kubeconfig=${join(config.dirs.pki, 'controller.kubeconfig')}`, '--metrics-addr=127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const take = (d: Buffer): void => void (this.output += d.toString());
    this.child.stdout?.on('data', take);
    this.child.stderr?.on('data', take);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}
