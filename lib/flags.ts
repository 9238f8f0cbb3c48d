/** Parses `--name=value`, `--name value` and bare `--flag` (true); the rest are positional arguments. */
export function parseFlags(argv: readonly string[]): { flags: Map<string, string>; positional: string[] } {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        flags.set(arg.slice(2), next);
        i++;
      } else {
        flags.set(arg.slice(2), 'true');
      }
    }
  }
  return { flags, positional };
}

/** The value of a required flag, or an error naming it. */
export function requireFlag(flags: Map<string, string>, name: string): string {
  const v = flags.get(name);
  if (v === undefined || v === '' || v === 'true') throw new Error(`missing required flag --${name}`);
  return v;
}
