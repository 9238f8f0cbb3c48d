// Container log files: `<pod log dir>/<container>/<restartCount>.log`, one per run, as the kubelet keeps
// them under /var/log/pods. These helpers are pure.

/** The file of the current run, or of the run before it (`kubectl logs --previous`). */
export function pickLogFile(files: readonly string[], previous: boolean): string | undefined {
  const runs = files.map((f) => /^(\d+)\.log$/.exec(f)?.[1]).filter((n): n is string => n !== undefined).map(Number).sort((a, b) => a - b);
  const run = previous ? runs[runs.length - 2] : runs[runs.length - 1];
  return run === undefined ? undefined : `${run}.log`;
}

/** The last `lines` lines of `text` (all of it when lines is undefined or negative). */
export function tailLines(text: string, lines: number | undefined): string {
  if (lines === undefined || lines < 0) return text;
  if (lines === 0) return '';
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const all = body.split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n') + (text.endsWith('\n') ? '\n' : '');
}

/**
 * The termination message of a failed container whose policy is FallbackToLogsOnError: the end of its log,
 * at most 80 lines and 2 KiB, as the kubelet takes it.
 */
export function logTerminationMessage(log: string): string {
  const tail = tailLines(log, 80);
  const bytes = Buffer.from(tail);
  return (bytes.length > 2048 ? bytes.subarray(bytes.length - 2048).toString() : tail).trim();
}

export interface LogQuery {
  follow: boolean;
  previous: boolean;
  tailLines?: number;
  limitBytes?: number;
}

export function parseLogQuery(params: URLSearchParams): LogQuery {
  const num = (name: string): number | undefined => {
    const v = params.get(name);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`${name}=${v}: want an integer`);
    return n;
  };
  const tail = num('tailLines');
  const limit = num('limitBytes');
  return {
    follow: params.get('follow') === 'true',
    previous: params.get('previous') === 'true',
    ...(tail !== undefined ? { tailLines: tail } : {}),
    ...(limit !== undefined ? { limitBytes: limit } : {}),
  };
}
