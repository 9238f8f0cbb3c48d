import { homedir } from 'node:os';
import { join } from 'node:path';

// Where kzero keeps the local cluster's state ($KZERO_HOME) and its build cache ($KZERO_CACHE).
// The cache is outside the state so that `kzero down --purge` never costs a Kubernetes rebuild.
export function kzeroHome(): string {
  return process.env.KZERO_HOME || join(homedir(), '.kzero');
}

export function kzeroCache(): string {
  return process.env.KZERO_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'kzero');
}

export function kubeconfigPath(): string {
  return join(kzeroHome(), 'kubeconfig');
}
