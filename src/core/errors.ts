// Typed errors carry the policy: a RecordError skips and counts one record and the run goes on;
// a FatalError (broken config, unwritable output) stops the run before or where it happens.

export interface RecordLocation {
  file?: string;
  offset?: number;
}

/** One bad record or document: counted under `reason`, named by file and offset, then skipped. */
export class RecordError extends Error {
  readonly reason: string;
  readonly file?: string;
  readonly offset?: number;
  constructor(reason: string, message: string, where: RecordLocation = {}) {
    super(message);
    this.name = 'RecordError';
    this.reason = reason;
    this.file = where.file;
    this.offset = where.offset;
  }

  /** `file@offset: reason: message`, the line users see and grep */
  describe(): string {
    const at = this.file !== undefined ? `${this.file}${this.offset !== undefined ? `@${this.offset}` : ''}: ` : '';
    return `${at}${this.reason}: ${this.message}`;
  }

  toJSON(): Record<string, unknown> {
    return { file: this.file, offset: this.offset, reason: this.reason, message: this.message };
  }
}

/** Stops the run: a broken config (naming the field), a missing input, an unwritable output. */
export class FatalError extends Error {
  readonly field?: string;
  constructor(message: string, field?: string) {
    super(message);
    this.name = 'FatalError';
    this.field = field;
  }
}

export function isRecordError(e: unknown): e is RecordError {
  return e instanceof RecordError;
}
