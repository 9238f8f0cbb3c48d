import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KzeroKeyFiles } from '../../local/pki/certs.js';
import { config } from './cluster.js';

const CONTROLLER = fileURLToPath(new URL('../../controller/main.js', import.meta.url));
const AUTOSCALER = fileURLToPath(new URL('../../autoscaler/main.js', import.meta.url));
const pki = (f: string): string => join(config.dirs.pki, f);

/** One of kzero's component processes, as the local cluster runs them, with its output kept for assertions. */
class ComponentProcess {
  readonly child: ChildProcess;
  output = '';

  constructor(script: string, args: string[]) {
    this.child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const take = (d: Buffer): void => void (this.output += d.toString());
    this.child.stdout?.on('data', take);
    this.child.stderr?.on('data', take);
  }

  /** Resolves once the process logs `line` (its components log one when they serve), rejects if it exits first. */
  started(line: string, timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => this.output.includes(line);
      if (check()) return resolve();
      const timer = setTimeout(() => finish(new Error(`${line} not logged within ${timeoutMs} ms:\n${this.output.slice(-2000)}`)), timeoutMs);
      const onData = (): void => void (check() && finish());
      const onExit = (): void => finish(new Error(`exited before logging ${line}:\n${this.output.slice(-2000)}`));
      const finish = (err?: Error): void => {
        clearTimeout(timer);
        this.child.stdout?.off('data', onData);
        this.child.stderr?.off('data', onData);
        this.child.off('exit', onExit);
        if (err) reject(err);
        else resolve();
      };
      this.child.stdout?.on('data', onData);
      this.child.stderr?.on('data', onData);
      this.child.once('exit', onExit);
    });
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

/** A controller process for one shard. */
export class ShardController extends ComponentProcess {
  constructor(readonly shard: string) {
    super(CONTROLLER, [`--shard=${shard}`, `--kubeconfig=${pki('controller.kubeconfig')}`, '--metrics-addr=127.0.0.1:0', `--pool-public-keys-file=${pki(KzeroKeyFiles.poolPublicKeys)}`]);
  }

  /** Resolves once its informers have synced and its workers run. */
  ready(): Promise<void> {
    return this.started('controller: running');
  }
}

/** An extra autoscaler replica for one shard, listening on `listen` (host:port). */
export class ShardAutoscaler extends ComponentProcess {
  constructor(readonly shard: string, readonly listen: string) {
    super(AUTOSCALER, [`--shard=${shard}`, `--kubeconfig=${pki('autoscaler.kubeconfig')}`, `--listen=${listen}`, `--token-file=${pki(KzeroKeyFiles.autoscalerToken)}`,
      `--pool-signing-key-file=${pki(KzeroKeyFiles.poolSigningKey)}`, '--metrics-addr=127.0.0.1:0']);
  }
}
