// Structured logs: one JSON object per line, so that `jq` and log shippers read them as they are.
export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that adds `fields` to every line, e.g. the object's namespace/name. */
  with(fields: Fields): Logger;
}

const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: Level;
  write?: (line: string) => void;
  now?: () => Date;
}

export function parseLevel(value: string | undefined, fallback: Level = 'info'): Level {
  if (value === undefined || value === '') return fallback;
  if (Object.hasOwn(order, value)) return value as Level;
  throw new Error(`invalid log level ${JSON.stringify(value)}: want one of ${Object.keys(order).join(', ')}`);
}

export function createLogger(component: string, options: LoggerOptions = {}): Logger {
  const min = order[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  const make = (base: Fields): Logger => {
    const emit = (level: Level, msg: string, fields?: Fields): void => {
      if (order[level] < min) return;
      const record: Fields = { ts: now().toISOString(), level, component, msg, ...base, ...fields };
      write(JSON.stringify(record, errorReplacer) + '\n');
    };
    return {
      debug: (msg, fields) => emit('debug', msg, fields),
      info: (msg, fields) => emit('info', msg, fields),
      warn: (msg, fields) => emit('warn', msg, fields),
      error: (msg, fields) => emit('error', msg, fields),
      with: (fields) => make({ ...base, ...fields }),
    };
  };
  return make({});
}

// Errors have no enumerable fields; log their message (and code, where there is one) instead of `{}`.
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return code === undefined ? value.message : { message: value.message, code };
  }
  return value;
}
