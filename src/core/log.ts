// A small leveled logger: lines to stderr and, during a run, to the run's log file.
import fs from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** also append every line (all levels) to this file */
  file?: string;
  /** stderr writer; replaced in tests */
  write?: (line: string) => void;
  /** called before a line goes to stderr, so a progress bar can clear itself */
  beforeWrite?: () => void;
}

export function createLogger(opts: LoggerOptions = {}): Logger & { close(): void } {
  const min = ORDER[opts.level ?? 'info'];
  const fd = opts.file ? fs.openSync(opts.file, 'a') : undefined;
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: LogLevel, msg: string) => {
    if (fd !== undefined) fs.writeSync(fd, `${new Date().toISOString()} ${level} ${msg}\n`);
    if (ORDER[level] < min) return;
    opts.beforeWrite?.();
    write(level === 'info' ? msg : `${level}: ${msg}`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    close: () => {
      if (fd !== undefined) fs.closeSync(fd);
    },
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
