/**
 * The one place where errors become HTTP responses: Pulser error codes map to statuses, and
 * anything unexpected becomes a 500 that reveals nothing of the server's internals.
 */
import type { Context } from 'hono';
import { visible } from '../util/visible.js';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AuthError, ErrorCodes, isPulserError, type ErrorCode } from '../errors/index.js';

/** HTTP status of each stable error code. */
export const STATUS_OF: Readonly<Record<ErrorCode, ContentfulStatusCode>> = {
  [ErrorCodes.usage]: 400,
  [ErrorCodes.input]: 422,
  [ErrorCodes.notFound]: 404,
  [ErrorCodes.conflict]: 409,
  [ErrorCodes.state]: 409,
  [ErrorCodes.trust]: 409,
  [ErrorCodes.auth]: 401,
  [ErrorCodes.store]: 503,
  [ErrorCodes.tool]: 502,
  [ErrorCodes.internal]: 500,
};

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly hint?: string;
  };
}

/** An HTTP-only failure (a malformed body, an oversized request) with its status. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly hint: string | undefined;
  constructor(status: ContentfulStatusCode, code: string, message: string, hint?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.hint = hint;
  }
}

/** Status and body for `error`. */
export function errorResponse(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error.hint === undefined ? {} : { hint: error.hint }),
        },
      },
    };
  }
  if (isPulserError(error)) {
    const status = error instanceof AuthError ? error.status : STATUS_OF[error.code];
    const hint = error.data.hint;
    return {
      status: error.code === ErrorCodes.store && !error.retryable ? 500 : status,
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(hint === undefined ? {} : { hint }),
        },
      },
    };
  }
  return {
    status: 500,
    body: {
      error: {
        code: ErrorCodes.internal,
        message: 'internal error',
        hint: 'see the server log (set PULSER_DEBUG=1 for stack traces)',
      },
    },
  };
}

/** Hono `onError` handler: maps the error and logs unexpected ones. */
export function onError(error: Error, c: Context): Response {
  const { status, body } = errorResponse(error);
  if (status >= 500 && !isPulserError(error) && !(error instanceof HttpError)) {
    process.stderr.write(
      `pulser serve: ${visible(`${c.req.method} ${c.req.path}: ${error.message}`)}\n${process.env.PULSER_DEBUG ? `${error.stack ?? ''}\n` : ''}`,
    );
  }
  return c.json(body, status);
}
