/**
 * Deterministic JSON (RFC 8785 JCS style): object keys sorted by UTF-16 code units, no
 * whitespace, strings and numbers written exactly as `JSON.stringify` writes them (which is
 * what JCS specifies). Values that `JSON.stringify` would silently change are rejected instead,
 * so a value that serialises here survives a `JSON.stringify` / `JSON.parse` round trip with
 * the same canonical form.
 */

/** A value that cannot be written as canonical JSON; `path` names where (`$.data.items[2]`). */
export class CanonicalJsonError extends TypeError {
  override readonly name = 'CanonicalJsonError';
  /** What is wrong, without the location. */
  readonly reason: string;
  /** Keys and indexes from the root to the offending value. */
  readonly path: ReadonlyArray<string | number>;

  constructor(reason: string, path: ReadonlyArray<string | number> = []) {
    super(`${reason} at ${formatPath(path)}`);
    this.reason = reason;
    this.path = path;
  }
}

/** Formats a path as `$.a[0]["b c"]`. */
function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '$';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  }
  return out;
}

/** Thrown while descending; the path is collected on the way out. */
class Failure extends Error {
  readonly path: Array<string | number> = [];
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/** Deepest nesting accepted; deeper input (or a cycle) is rejected rather than overflowing. */
const MAX_DEPTH = 1000;

/**
 * Serialises `value` as canonical JSON.
 *
 * Follows `JSON.stringify` for what it keeps: `toJSON()` is honoured, object properties whose
 * value is `undefined`, a function or a symbol are left out. Throws a {@link CanonicalJsonError}
 * for NaN and ±Infinity, BigInt, and `undefined` / functions / symbols at the top level or
 * inside an array (where `JSON.stringify` would write `null`), and for cycles. `-0` is written `0`.
 *
 * @example
 * canonicalJson({ b: [1, 'x'], a: null }) // '{"a":null,"b":[1,"x"]}'
 */
export function canonicalJson(value: unknown): string {
  let out: string | undefined;
  try {
    out = write(value, '', 0);
  } catch (error) {
    if (error instanceof Failure) throw new CanonicalJsonError(error.reason, error.path);
    throw error;
  }
  if (out === undefined) throw new CanonicalJsonError(`${describe(value)} is not JSON`);
  return out;
}

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  return typeof value;
}

/** Strings holding none of these are written as-is between quotes (what JSON.stringify does). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as canonical JSON (quoted, escaped as `JSON.stringify` escapes). */
export function canonicalString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/** Returns undefined for a value an object property would omit. */
function write(value: unknown, key: string, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return canonicalString(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new Failure(`non-finite number ${describe(value)}`);
      }
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new Failure('BigInt is not JSON');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object': {
      if (value === null) return 'null';
      if (depth >= MAX_DEPTH) {
        throw new Failure(`nesting deeper than ${MAX_DEPTH} (or a cycle)`);
      }
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        return write((toJSON as (k: string) => unknown).call(value, key), key, depth + 1);
      }
      if (value instanceof Number || value instanceof String || value instanceof Boolean) {
        return write(value.valueOf(), key, depth);
      }
      return Array.isArray(value) ? writeArray(value, depth + 1) : writeObject(value, depth + 1);
    }
  }
}

function writeArray(array: ReadonlyArray<unknown>, depth: number): string {
  let out = '[';
  for (let i = 0; i < array.length; i++) {
    let item: string | undefined;
    try {
      item = write(array[i], String(i), depth);
    } catch (error) {
      throw withPath(error, i);
    }
    if (item === undefined) {
      throw withPath(new Failure(`${describe(array[i])} inside an array`), i);
    }
    out += i === 0 ? item : ',' + item;
  }
  return out + ']';
}

function writeObject(object: object, depth: number): string {
  // Default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
  const keys = Object.keys(object);
  if (keys.length > 1) keys.sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    let item: string | undefined;
    try {
      item = write((object as Record<string, unknown>)[key], key, depth);
    } catch (error) {
      throw withPath(error, key);
    }
    if (item === undefined) continue;
    out += (first ? '' : ',') + canonicalString(key) + ':' + item;
    first = false;
  }
  return out + '}';
}

function withPath(error: unknown, step: string | number): unknown {
  if (error instanceof Failure) error.path.unshift(step);
  return error;
}
