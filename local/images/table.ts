/**
 * The image table: how the process node turns a container image into a local
 * command line. Pure data and functions; builtin.ts supplies the defaults and
 * users may override entries with JSON (parseImageTableOverrides).
 */
import { parseImageReference } from './reference.js';

export interface ImageEntry {
  /** argv prefix that plays the image's ENTRYPOINT, [] = none (the image has a shell only) */
  entrypoint: string[];
  /** default CMD */
  cmd: string[];
  /** environment the image sets (like ENV in a Dockerfile) */
  env?: Record<string, string>;
  description: string;
}

/** key: normalised name (registry/repository), see parseImageReference */
export type ImageTable = ReadonlyMap<string, ImageEntry>;

/** Finds the entry for `image`, ignoring its tag and digest; throws if `image` is not a valid reference. */
export function lookupImage(table: ImageTable, image: string): ImageEntry | undefined {
  return table.get(parseImageReference(image).name);
}

/**
 * The argv a container runs, with Kubernetes/containerd semantics:
 * `command` replaces ENTRYPOINT and drops the default CMD; `args` replace CMD.
 * As in Kubernetes (protobuf cannot tell nil from empty), an empty array
 * counts as not given.
 */
export function containerArgv(
  entry: ImageEntry,
  command: string[] | undefined,
  args: string[] | undefined,
): string[] {
  const hasCommand = command !== undefined && command.length > 0;
  const hasArgs = args !== undefined && args.length > 0;
  const argv = hasCommand
    ? [...command, ...(hasArgs ? args : [])]
    : [...entry.entrypoint, ...(hasArgs ? args : entry.cmd)];
  if (argv.length === 0) {
    throw new Error(
      `no command to run for image "${entry.description}": it has no entrypoint or default cmd, so the container must set command`,
    );
  }
  return argv;
}

const ENTRY_FIELDS = new Set(['entrypoint', 'cmd', 'env', 'description']);
// POSIX-portable variable names; anything else cannot be set reliably by a shell.
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringArray(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string')) {
    throw new Error(`${where}: must be an array of strings`);
  }
  return [...v];
}

function parseEntry(key: string, raw: unknown): ImageEntry {
  const at = `image table override ${JSON.stringify(key)}`;
  if (!isRecord(raw)) throw new Error(`${at}: must be an object`);
  for (const field of Object.keys(raw)) {
    // Reject typos such as "command" instead of silently ignoring them.
    if (!ENTRY_FIELDS.has(field)) {
      throw new Error(`${at}: unknown field ${JSON.stringify(field)} (allowed: ${[...ENTRY_FIELDS].join(', ')})`);
    }
  }
  const entry: ImageEntry = {
    entrypoint: raw.entrypoint === undefined ? [] : stringArray(raw.entrypoint, `${at}: field "entrypoint"`),
    cmd: raw.cmd === undefined ? [] : stringArray(raw.cmd, `${at}: field "cmd"`),
    description: `user override for ${key}`,
  };
  if (raw.description !== undefined) {
    if (typeof raw.description !== 'string') throw new Error(`${at}: field "description" must be a string`);
    entry.description = raw.description;
  }
  if (raw.env !== undefined) {
    if (!isRecord(raw.env)) throw new Error(`${at}: field "env" must be an object of strings`);
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw.env)) {
      if (!ENV_NAME.test(name)) throw new Error(`${at}: field "env": bad variable name ${JSON.stringify(name)}`);
      if (typeof value !== 'string') throw new Error(`${at}: field "env": value of ${name} must be a string`);
      env[name] = value;
    }
    entry.env = env;
  }
  return entry;
}

/**
 * Validates user-supplied overrides `{ "<image ref>": { entrypoint?, cmd?, env?, description? } }`.
 * Keys are normalised (`busybox` -> `docker.io/library/busybox`). A key must not
 * carry a tag or digest: lookup ignores them, so `app:v2` would silently map every tag.
 */
export function parseImageTableOverrides(json: unknown): Map<string, ImageEntry> {
  if (!isRecord(json)) throw new Error('image table overrides: must be a JSON object keyed by image reference');
  const out = new Map<string, ImageEntry>();
  const keyOf = new Map<string, string>();
  for (const [key, raw] of Object.entries(json)) {
    let ref;
    try {
      ref = parseImageReference(key);
    } catch (err) {
      throw new Error(`image table override ${JSON.stringify(key)}: ${(err as Error).message}`);
    }
    if (ref.tag !== undefined || ref.digest !== undefined) {
      throw new Error(
        `image table override ${JSON.stringify(key)}: must not have a tag or digest (entries apply to every version; use ${JSON.stringify(ref.name)})`,
      );
    }
    const earlier = keyOf.get(ref.name);
    if (earlier !== undefined) {
      throw new Error(`image table override ${JSON.stringify(key)}: same image as ${JSON.stringify(earlier)} (${ref.name})`);
    }
    keyOf.set(ref.name, key);
    out.set(ref.name, parseEntry(key, raw));
  }
  return out;
}

/** A new table with every entry of `base`, replaced or extended by `overrides`. */
export function mergeImageTables(base: ImageTable, overrides: ImageTable): ImageTable {
  return new Map([...base, ...overrides]);
}
