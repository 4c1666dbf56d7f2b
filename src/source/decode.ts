/**
 * Decoding a plan's bytes into text, and encoding text back to exactly those bytes.
 */
import type { Diagnostic } from '../ir/index.js';
import { sha256Hex } from '../util/hash.js';
import { WINDOWS_1252 } from './code-tables.js';
import { detectLineEnding, doubledCr, type LineEnding } from './lines.js';
import { firstInvalidUtf8 } from './utf8.js';

/** The encodings a plan can be read from. */
export type SourceEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** A plan's bytes, decoded, with what is needed to write them back byte for byte. */
export interface DecodedSource {
  /** The decoded text, without the byte order mark. */
  readonly text: string;
  readonly encoding: SourceEncoding;
  /** Whether the bytes start with a byte order mark. */
  readonly bom: boolean;
  readonly lineEnding: LineEnding;
  /** SHA-256 of the bytes, lowercase hex. */
  readonly sha256: string;
  /** Number of bytes. */
  readonly bytes: number;
  /** True when the bytes are not text (NUL bytes, mostly control characters). */
  readonly binary: boolean;
  readonly diagnostics: ReadonlyArray<Diagnostic>;
}

/** Options of {@link decodeSource}. */
export interface DecodeOptions {
  /**
   * File name used in diagnostics.
   * @default '<input>'
   */
  readonly path?: string;
}

/** How to encode text back into bytes (as {@link decodeSource} reported it). */
export interface EncodeOptions {
  readonly encoding: SourceEncoding;
  readonly bom: boolean;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();
const CHUNK = 8192;

function diag(
  file: string,
  code: string,
  severity: Diagnostic['severity'],
  message: string,
  line = 1,
  column = 1,
): Diagnostic {
  return { code, severity, message, file, line, column };
}

function decodeUtf16(bytes: Uint8Array, start: number, littleEndian: boolean): string {
  const units = (bytes.length - start) >> 1;
  const parts: string[] = [];
  const buf = new Array<number>(Math.min(units, CHUNK));
  for (let u = 0; u < units; u += CHUNK) {
    const n = Math.min(CHUNK, units - u);
    buf.length = n;
    for (let k = 0; k < n; k++) {
      const i = start + 2 * (u + k);
      const a = bytes[i] ?? 0;
      const b = bytes[i + 1] ?? 0;
      buf[k] = littleEndian ? a | (b << 8) : (a << 8) | b;
    }
    parts.push(String.fromCharCode(...buf));
  }
  return parts.join('');
}

function decodeSingleByte(bytes: Uint8Array): string {
  const high = WINDOWS_1252.high;
  const parts: string[] = [];
  for (let s = 0; s < bytes.length; s += CHUNK) {
    const end = Math.min(bytes.length, s + CHUNK);
    let chunk = '';
    for (let i = s; i < end; i++) {
      const b = bytes[i] ?? 0;
      chunk += b < 0x80 ? String.fromCharCode(b) : (high[b - 0x80] ?? '');
    }
    parts.push(chunk);
  }
  return parts.join('');
}

/** Position (1-based line and column) of byte `offset`, breaking lines as `lineStarts` does. */
function bytePosition(bytes: Uint8Array, offset: number): { line: number; column: number } {
  const doubled = doubledCr(new TextDecoder('latin1').decode(bytes));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const b = bytes[i];
    if (
      b === 10 ||
      (b === 13 && bytes[i + 1] !== 10 && !(doubled && bytes[i + 1] === 13 && bytes[i + 2] === 10))
    ) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** True when the bytes look like binary data rather than text in a single-byte or UTF-8 encoding. */
function looksBinary(bytes: Uint8Array): boolean {
  if (bytes.indexOf(0) !== -1) return true;
  const sample = Math.min(bytes.length, 8192);
  let controls = 0;
  for (let i = 0; i < sample; i++) {
    const b = bytes[i] ?? 0;
    if ((b < 32 && b !== 9 && b !== 10 && b !== 12 && b !== 13 && b !== 27) || b === 127)
      controls++;
  }
  return sample > 0 && controls / sample > 0.1;
}

/**
 * Decode a plan's bytes: byte order marks (UTF-8, UTF-16LE/BE) are honoured; bytes that are not
 * valid UTF-8 are read as Windows-1252 (with a warning); binary input yields an error diagnostic.
 *
 * @example
 * const source = decodeSource(await readFile('plan.md'), { path: 'plan.md' });
 */
export function decodeSource(bytes: Uint8Array, options: DecodeOptions = {}): DecodedSource {
  const file = options.path ?? '<input>';
  const diagnostics: Diagnostic[] = [];
  const base = { sha256: sha256Hex(bytes), bytes: bytes.length };
  const finish = (
    text: string,
    encoding: SourceEncoding,
    bom: boolean,
    binary: boolean,
  ): DecodedSource => ({
    text,
    encoding,
    bom,
    lineEnding: detectLineEnding(text),
    ...base,
    binary,
    diagnostics,
  });

  const [b0, b1, b2] = bytes;
  if (b0 === 0xff && b1 === 0xfe) return finishUtf16(true);
  if (b0 === 0xfe && b1 === 0xff) return finishUtf16(false);

  function finishUtf16(littleEndian: boolean): DecodedSource {
    if ((bytes.length & 1) !== 0) {
      diagnostics.push(
        diag(
          file,
          'source/odd-utf16',
          'warning',
          'The file has a UTF-16 byte order mark but an odd number of bytes; the last byte was ignored. Re-save the file.',
        ),
      );
    }
    const text = decodeUtf16(bytes, 2, littleEndian);
    const binary = text.indexOf('\u0000') !== -1;
    if (binary) diagnostics.push(binaryDiagnostic(file));
    return finish(text, littleEndian ? 'utf-16le' : 'utf-16be', true, binary);
  }

  const bom = b0 === 0xef && b1 === 0xbb && b2 === 0xbf;
  if (looksBinary(bytes)) {
    diagnostics.push(binaryDiagnostic(file));
    return finish('', 'utf-8', bom, true);
  }
  const start = bom ? 3 : 0;
  const body = bytes.subarray(start);
  try {
    return finish(strictUtf8Decoder.decode(body), 'utf-8', bom, false);
  } catch {
    // Not valid UTF-8: find where, then fall back below.
  }
  const invalid = firstInvalidUtf8(bytes, start);
  if (invalid === -1 || bom) {
    if (invalid !== -1) {
      const at = bytePosition(bytes, invalid);
      diagnostics.push(
        diag(
          file,
          'source/invalid-utf8',
          'warning',
          `Invalid UTF-8 at byte ${invalid} although the file starts with a UTF-8 byte order mark; invalid bytes were replaced with U+FFFD. Re-save the file as UTF-8.`,
          at.line,
          at.column,
        ),
      );
    }
    return finish(utf8Decoder.decode(body), 'utf-8', bom, false);
  }
  const at = bytePosition(bytes, invalid);
  diagnostics.push(
    diag(
      file,
      'source/not-utf8',
      'warning',
      `The file is not valid UTF-8 (first invalid byte 0x${(bytes[invalid] ?? 0).toString(16)} at byte ${invalid}); it was read as Windows-1252. Re-save it as UTF-8 to silence this warning.`,
      at.line,
      at.column,
    ),
  );
  return finish(decodeSingleByte(bytes), 'windows-1252', false, false);
}

function binaryDiagnostic(file: string): Diagnostic {
  return diag(
    file,
    'source/binary',
    'error',
    'The file looks binary (NUL bytes or mostly control characters), not a markdown plan; nothing was compiled. Check that the right file was given.',
  );
}

function encodeUtf16(text: string, littleEndian: boolean, bom: boolean): Uint8Array {
  const offset = bom ? 2 : 0;
  const out = new Uint8Array(offset + text.length * 2);
  if (bom) {
    out[0] = littleEndian ? 0xff : 0xfe;
    out[1] = littleEndian ? 0xfe : 0xff;
  }
  for (let i = 0; i < text.length; i++) {
    const u = text.charCodeAt(i);
    const lo = u & 0xff;
    const hi = u >> 8;
    out[offset + 2 * i] = littleEndian ? lo : hi;
    out[offset + 2 * i + 1] = littleEndian ? hi : lo;
  }
  return out;
}

/**
 * Encode `text` as {@link decodeSource} decoded it, so that decode → encode returns the original
 * bytes exactly. Characters Windows-1252 cannot represent throw a `RangeError`.
 */
export function encodeSource(text: string, options: EncodeOptions): Uint8Array {
  switch (options.encoding) {
    case 'utf-8': {
      const body = utf8Encoder.encode(text);
      if (!options.bom) return body;
      const out = new Uint8Array(body.length + 3);
      out.set([0xef, 0xbb, 0xbf]);
      out.set(body, 3);
      return out;
    }
    case 'utf-16le':
      return encodeUtf16(text, true, options.bom);
    case 'utf-16be':
      return encodeUtf16(text, false, options.bom);
    case 'windows-1252': {
      const out = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        const b = c < 0x80 ? c : WINDOWS_1252.toByte.get(c);
        if (b === undefined) {
          throw new RangeError(
            `Character U+${c.toString(16).padStart(4, '0')} at offset ${i} has no Windows-1252 byte`,
          );
        }
        out[i] = b;
      }
      return out;
    }
    default: {
      const never: never = options.encoding;
      throw new Error(`unknown encoding ${String(never)}`);
    }
  }
}
