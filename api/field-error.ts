// Validation errors in the shape of Knative's apis.FieldError (knative.dev/pkg/apis/field_error.go): a
// message, the field paths it is about (`spec.traffic[0].percent`), optional details and a level. Errors
// nest: a validator reports paths relative to what it validates, and its caller prefixes them with
// viaField()/viaIndex() as it walks back up. Values are immutable; every method returns a new one.
//
// "No error" is `undefined`, as Knative's nil: use the free functions (also, viaField, ...) to combine or
// nest values that may be undefined.

/** The path of the field being validated itself (Knative's apis.CurrentField). */
export const CURRENT_FIELD = '';

export type DiagnosticLevel = 'Error' | 'Warning';

const LEVEL_ORDER: Record<DiagnosticLevel, number> = { Error: 0, Warning: 1 };

export interface FieldErrorInit {
  message: string;
  paths?: readonly string[];
  details?: string;
  level?: DiagnosticLevel;
}

/** One flattened diagnostic, as listed by wrappedErrors() and toJSON(). */
export interface FieldDiagnostic {
  readonly message: string;
  readonly paths: readonly string[];
  readonly details: string;
  readonly level: DiagnosticLevel;
}

export class FieldError {
  readonly message: string;
  readonly paths: readonly string[];
  readonly details: string;
  readonly level: DiagnosticLevel;
  private readonly nested: readonly FieldError[];

  constructor(init: FieldErrorInit, nested: readonly FieldError[] = []) {
    this.message = init.message;
    this.paths = Object.freeze([...(init.paths ?? [])]);
    this.details = init.details ?? '';
    this.level = init.level ?? 'Error';
    this.nested = Object.freeze([...nested]);
    Object.freeze(this);
  }

  /** Prefixes every path with `prefix` (each part may itself be dotted: 'metadata.annotations'). */
  viaField(...prefix: string[]): FieldError {
    return new FieldError(
      { message: this.message, details: this.details, level: this.level, paths: this.paths.map((p) => flatten([...prefix, p])) },
      this.nested.map((e) => e.viaField(...prefix)),
    );
  }

  /** Prefixes every path with `[index]`; the next viaField() glues it on: viaIndex(0).viaField('traffic') → traffic[0]. */
  viaIndex(index: number): FieldError {
    return this.viaField(`[${index}]`);
  }

  /** viaIndex(index).viaField(field). */
  viaFieldIndex(field: string, index: number): FieldError {
    return this.viaIndex(index).viaField(field);
  }

  /** Prefixes every path with `[key]`, for map entries. */
  viaKey(key: string): FieldError {
    return this.viaField(`[${key}]`);
  }

  /** viaKey(key).viaField(field). */
  viaFieldKey(field: string, key: string): FieldError {
    return this.viaKey(key).viaField(field);
  }

  /** The same diagnostics at another level. */
  at(level: DiagnosticLevel): FieldError {
    return new FieldError(
      { message: this.message, details: this.details, level, paths: this.paths },
      this.nested.map((e) => e.at(level)),
    );
  }

  /** Only the diagnostics of `level`, or undefined if there are none. */
  filter(level: DiagnosticLevel): FieldError | undefined {
    const kept = this.wrappedErrors().filter((d) => d.level === level);
    if (kept.length === 0) return undefined;
    return new FieldError({ message: '' }, kept.map((d) => new FieldError(d)));
  }

  /** This error together with `others` (undefined ones are ignored). */
  also(...others: Array<FieldError | undefined>): FieldError {
    const add = others.filter((e): e is FieldError => e !== undefined && !e.isEmpty());
    if (add.length === 0) return this;
    return new FieldError({ message: this.message, details: this.details, level: this.level, paths: this.paths }, [...this.nested, ...add]);
  }

  isEmpty(): boolean {
    return this.message === '' && this.details === '' && this.paths.length === 0 && this.nested.every((e) => e.isEmpty());
  }

  /**
   * Every diagnostic, flattened; those with the same level, message and details have their paths merged.
   * Paths and diagnostics are sorted (by message, then details, then level), as Knative does.
   */
  wrappedErrors(): FieldDiagnostic[] {
    const byKey = new Map<string, { message: string; details: string; level: DiagnosticLevel; paths: string[] }>();
    for (const e of this.leaves()) {
      const key = JSON.stringify([e.level, e.message, e.details]);
      const seen = byKey.get(key);
      if (seen) {
        for (const p of e.paths) if (!seen.paths.includes(p)) seen.paths.push(p);
      } else {
        byKey.set(key, { message: e.message, details: e.details, level: e.level, paths: [...new Set(e.paths)] });
      }
    }
    const out = [...byKey.values()].map((d) => Object.freeze({ ...d, paths: Object.freeze([...d.paths].sort(compareStrings)) }));
    out.sort((a, b) => compareStrings(a.message, b.message) || compareStrings(a.details, b.details) || LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level]);
    return out;
  }

  /** Knative's Error(): one `message: path, path` line per diagnostic (details on the following line), sorted. */
  toString(): string {
    return this.wrappedErrors()
      .map((d) => `${d.message}: ${d.paths.join(', ')}${d.details === '' ? '' : `\n${d.details}`}`)
      .join('\n');
  }

  toJSON(): FieldDiagnostic[] {
    return this.wrappedErrors();
  }

  private leaves(): FieldError[] {
    const out: FieldError[] = [];
    if (this.message !== '') out.push(this);
    for (const e of this.nested) out.push(...e.leaves());
    return out;
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isIndex(part: string): boolean {
  return part.startsWith('[') && part.endsWith(']');
}

/** Joins path parts with '.', gluing `[i]` parts onto the part before them and dropping empty parts. */
function flatten(parts: readonly string[]): string {
  const out: string[] = [];
  for (const part of parts) {
    for (const p of part.split('.')) {
      if (p === CURRENT_FIELD) continue;
      if (out.length > 0 && isIndex(p)) out[out.length - 1] += p;
      else out.push(p);
    }
  }
  return out.join('.');
}

// Free functions, for values that may be undefined (no error) -------------------------------------

/** Combines errors; undefined when none of them is an error. */
export function also(...errs: Array<FieldError | undefined>): FieldError | undefined {
  const present = errs.filter((e): e is FieldError => e !== undefined && !e.isEmpty());
  const [first, ...rest] = present;
  if (!first) return undefined;
  return first.also(...rest);
}

export function viaField(err: FieldError | undefined, ...prefix: string[]): FieldError | undefined {
  return err?.viaField(...prefix);
}

export function viaIndex(err: FieldError | undefined, index: number): FieldError | undefined {
  return err?.viaIndex(index);
}

export function viaFieldIndex(err: FieldError | undefined, field: string, index: number): FieldError | undefined {
  return err?.viaFieldIndex(field, index);
}

export function viaKey(err: FieldError | undefined, key: string): FieldError | undefined {
  return err?.viaKey(key);
}

/** The Knative-style message of `err`, or '' when there is no error. */
export function errorString(err: FieldError | undefined): string {
  return err ? err.toString() : '';
}

// Constructors, as Knative's Err* helpers ----------------------------------------------------------

function sprint(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '<nil>';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `missing field(s): a, b` */
export function errMissingField(...paths: string[]): FieldError {
  return new FieldError({ message: 'missing field(s)', paths });
}

/** `must not set the field(s): a, b` */
export function errDisallowedFields(...paths: string[]): FieldError {
  return new FieldError({ message: 'must not set the field(s)', paths });
}

/** `must not update deprecated field(s): a` */
export function errDisallowedUpdateDeprecatedFields(...paths: string[]): FieldError {
  return new FieldError({ message: 'must not update deprecated field(s)', paths });
}

/** `invalid value: <value>: path` (details, if any, joined with ', ' on the next line). */
export function errInvalidValue(value: unknown, path: string, ...details: string[]): FieldError {
  return new FieldError({ message: `invalid value: ${sprint(value)}`, paths: [path], details: details.join(', ') });
}

/** errInvalidValue(value, CURRENT_FIELD).viaFieldIndex(field, index): `invalid value: v: field[i]`. */
export function errInvalidArrayValue(value: unknown, field: string, index: number): FieldError {
  return errInvalidValue(value, CURRENT_FIELD).viaFieldIndex(field, index);
}

/** A free-form message about `paths`. */
export function errGeneric(message: string, ...paths: string[]): FieldError {
  return new FieldError({ message, paths });
}

/** `expected exactly one, got neither: a, b` */
export function errMissingOneOf(...paths: string[]): FieldError {
  return new FieldError({ message: 'expected exactly one, got neither', paths });
}

/** `expected exactly one, got both: a, b` */
export function errMultipleOneOf(...paths: string[]): FieldError {
  return new FieldError({ message: 'expected exactly one, got both', paths });
}

/** `invalid key name "k": path` */
export function errInvalidKeyName(key: string, path: string, ...details: string[]): FieldError {
  return new FieldError({ message: `invalid key name ${JSON.stringify(key)}`, paths: [path], details: details.join(', ') });
}

/** `expected <lower> <= <value> <= <upper>: path` */
export function errOutOfBoundsValue(value: unknown, lower: unknown, upper: unknown, path: string): FieldError {
  return new FieldError({ message: `expected ${sprint(lower)} <= ${sprint(value)} <= ${sprint(upper)}`, paths: [path] });
}
