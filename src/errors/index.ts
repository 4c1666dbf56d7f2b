/**
 * Pulser's error classes: one base class with a stable string `code` and structured `data`,
 * one subclass per failure kind. Expected failures (compile diagnostics, verdicts) are values,
 * not errors; these are for failures that stop an operation.
 */

/** Data attached to every Pulser error; `hint` tells the user what to do next. */
export interface ErrorData {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly hint?: string;
  readonly [key: string]: unknown;
}

/** Stable error codes. A user-facing error prints its message, not a stack trace. */
export const ErrorCodes = {
  usage: 'E_USAGE',
  notFound: 'E_NOT_FOUND',
  input: 'E_INPUT',
  conflict: 'E_CONFLICT',
  store: 'E_STORE',
  trust: 'E_TRUST',
  state: 'E_STATE',
  auth: 'E_AUTH',
  tool: 'E_TOOL',
  internal: 'E_INTERNAL',
} as const;

/** One of the stable error codes. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Base class of every error Pulser throws on purpose. */
export class PulserError extends Error {
  override readonly name: string = 'PulserError';
  readonly code: ErrorCode;
  readonly data: ErrorData;
  /** Whether retrying the same operation may succeed (data, never a regex on the message). */
  readonly retryable: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    options: { data?: ErrorData; cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.data = options.data ?? {};
    this.retryable = options.retryable ?? false;
  }
}

/** A bad flag, argument or option. */
export class UsageError extends PulserError {
  override readonly name = 'UsageError';
  constructor(message: string, data: ErrorData = {}) {
    super(ErrorCodes.usage, message, { data });
  }
}

/** An ID, file or record that does not exist. */
export class NotFoundError extends PulserError {
  override readonly name = 'NotFoundError';
  constructor(message: string, data: ErrorData = {}) {
    super(ErrorCodes.notFound, message, { data });
  }
}

/** Input that cannot be read or compiled at all (a directory, a binary file, ...). */
export class InputError extends PulserError {
  override readonly name = 'InputError';
  constructor(message: string, data: ErrorData = {}, cause?: unknown) {
    super(ErrorCodes.input, message, { data, cause });
  }
}

/** Something changed underneath an operation (a file edited on disk since it was read, a lost lease). */
export class ConflictError extends PulserError {
  override readonly name = 'ConflictError';
  constructor(message: string, data: ErrorData = {}) {
    super(ErrorCodes.conflict, message, { data });
  }
}

/** The store (database) failed or cannot be reached. */
export class StoreError extends PulserError {
  override readonly name = 'StoreError';
  constructor(message: string, data: ErrorData = {}, cause?: unknown, retryable = false) {
    super(ErrorCodes.store, message, { data, cause, retryable });
  }
}

/** An operation refused because the document's commands are not trusted. */
export class TrustError extends PulserError {
  override readonly name = 'TrustError';
  constructor(message: string, data: ErrorData = {}) {
    super(ErrorCodes.trust, message, { data });
  }
}

/** An operation not allowed in the current state (approve a step that is not waiting, ...). */
export class StateError extends PulserError {
  override readonly name = 'StateError';
  constructor(message: string, data: ErrorData = {}) {
    super(ErrorCodes.state, message, { data });
  }
}

/** Missing or insufficient credentials. */
export class AuthError extends PulserError {
  override readonly name = 'AuthError';
  readonly status: 401 | 403;
  constructor(message: string, status: 401 | 403, data: ErrorData = {}) {
    super(ErrorCodes.auth, message, { data });
    this.status = status;
  }
}

/** True when `error` is a Pulser error (a user error, printed without a stack trace). */
export function isPulserError(error: unknown): error is PulserError {
  return error instanceof PulserError;
}

/** Formats an error for a person: `file:line:col: message` plus the hint, no stack trace. */
export function formatError(error: PulserError): string {
  const { file, line, column, hint } = error.data;
  const where =
    file === undefined
      ? ''
      : `${file}${line === undefined ? '' : `:${line}${column === undefined ? '' : `:${column}`}`}: `;
  return `${where}${error.message}${hint === undefined ? '' : `\n  hint: ${hint}`}`;
}
