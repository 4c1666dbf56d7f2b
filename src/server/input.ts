/** Small validators for request bodies, query strings and path parameters (400 on bad input). */
import { HttpError } from './errors.js';

/** A required string field of at most `max` characters. */
export function requireString(body: Record<string, unknown>, key: string, max = 1000): string {
  const value = body[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new HttpError(400, 'E_USAGE', `missing string field "${key}"`);
  }
  if (value.length > max) throw new HttpError(400, 'E_USAGE', `field "${key}" is too long`);
  if (value.includes('\0')) throw new HttpError(400, 'E_USAGE', `field "${key}" has a NUL byte`);
  return value;
}

/** An optional string field (undefined when absent). */
export function optionalString(
  body: Record<string, unknown>,
  key: string,
  max = 1000,
): string | undefined {
  return body[key] === undefined || body[key] === null ? undefined : requireString(body, key, max);
}

/** A required field whose value is one of `allowed`. */
export function requireOneOf<T extends string>(
  body: Record<string, unknown>,
  key: string,
  allowed: ReadonlyArray<T>,
): T {
  const value = body[key];
  if (typeof value !== 'string' || !(allowed as ReadonlyArray<string>).includes(value)) {
    throw new HttpError(400, 'E_USAGE', `field "${key}" must be one of: ${allowed.join(', ')}`);
  }
  return value as T;
}

/** An optional non-negative integer (query or body), bounded by `max`. */
export function optionalInt(value: unknown, name: string, max: number): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > max) {
    throw new HttpError(400, 'E_USAGE', `"${name}" must be an integer from 0 to ${max}`);
  }
  return n;
}

/** A path parameter that is an ID: no slashes back out, no NUL, no `..` segments. */
export function idParam(value: string | undefined, name = 'id'): string {
  if (
    value === undefined ||
    value.length === 0 ||
    value.length > 300 ||
    value.includes('\0') ||
    value.split(/[/\\]/u).some((s) => s === '..' || s === '.')
  ) {
    throw new HttpError(400, 'E_USAGE', `invalid ${name}`);
  }
  return value;
}

/** Refuses body fields a route does not know (`trustUnsafely`, `steps`, typos) with 400. */
export function onlyFields(body: Record<string, unknown>, allowed: ReadonlyArray<string>): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw new HttpError(
        400,
        'E_USAGE',
        `unknown field "${key}"`,
        allowed.length === 0 ? 'send no body' : `allowed fields: ${allowed.join(', ')}`,
      );
    }
  }
}
