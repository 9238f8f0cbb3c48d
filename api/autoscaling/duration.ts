// Go's time.ParseDuration and time.Duration.String(), for the duration-valued annotations and config keys
// Knative reads ("60s", "1m30s", "1.5h", "300ms"). Durations are numbers of nanoseconds, as in Go; every
// duration these APIs accept (at most hours) is exactly representable.

export const NANOSECOND = 1;
export const MICROSECOND = 1e3;
export const MILLISECOND = 1e6;
export const SECOND = 1e9;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

const UNITS: Readonly<Record<string, number>> = Object.freeze({
  ns: NANOSECOND,
  us: MICROSECOND,
  'µs': MICROSECOND, // U+00B5 micro sign
  'μs': MICROSECOND, // U+03BC Greek mu
  ms: MILLISECOND,
  s: SECOND,
  m: MINUTE,
  h: HOUR,
});

// Go durations are int64 nanoseconds.
const MAX_DURATION = 2 ** 63 - 1;

/**
 * Parses a Go duration: an optionally signed sequence of decimal numbers, each with an optional fraction
 * and a unit suffix (ns, us/µs, ms, s, m, h), such as "300ms", "-1.5h" or "2h45m". "0" needs no unit.
 * Returns nanoseconds, or undefined when `s` is not a valid duration.
 */
export function parseGoDuration(s: string): number | undefined {
  let rest = s;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  const part = /^(\d*)(?:\.(\d*))?([^\d.]+)/;
  while (rest !== '') {
    const m = part.exec(rest);
    if (!m) return undefined;
    const whole = m[1] ?? '';
    const frac = m[2] ?? '';
    const unitName = m[3] ?? '';
    // At least one digit, before or after the dot.
    if (whole === '' && frac === '') return undefined;
    const unit = UNITS[unitName];
    if (unit === undefined) return undefined;
    total += Number(whole === '' ? '0' : whole) * unit;
    if (frac !== '') total += Math.round(Number(`0.${frac}`) * unit);
    if (total > MAX_DURATION) return undefined;
    rest = rest.slice(m[0].length);
  }
  return negative ? -total : total;
}

function trimFraction(digits: string): string {
  const t = digits.replace(/0+$/, '');
  return t === '' ? '' : `.${t}`;
}

/** Formats nanoseconds as Go's Duration.String() does: "1h0m0s", "1m30s", "6s", "300ms", "0s". */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let u = Math.round(Math.abs(ns));
  if (u < SECOND) {
    // Sub-second: one unit, with a fraction.
    let unit: string;
    let scale: number;
    if (u < MICROSECOND) {
      return `${sign}${u}ns`;
    } else if (u < MILLISECOND) {
      unit = 'µs';
      scale = MICROSECOND;
    } else {
      unit = 'ms';
      scale = MILLISECOND;
    }
    const whole = Math.floor(u / scale);
    const frac = String(u % scale).padStart(String(scale).length - 1, '0');
    return `${sign}${whole}${trimFraction(frac)}${unit}`;
  }
  const fracNs = u % SECOND;
  u = (u - fracNs) / SECOND;
  const secs = u % 60;
  u = (u - secs) / 60;
  let out = `${secs}${trimFraction(String(fracNs).padStart(9, '0'))}s`;
  if (u > 0) {
    const mins = u % 60;
    const hours = (u - mins) / 60;
    out = `${mins}m${out}`;
    if (hours > 0) out = `${hours}h${out}`;
  }
  return `${sign}${out}`;
}
