/**
 * Strict UTF-8 validation that reports where the first invalid byte is (the fatal
 * `TextDecoder` only says that one exists).
 */

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the bytes there are invalid. */
export function utf8SequenceLength(bytes: ArrayLike<number>, i: number, end: number): number {
  const b0 = bytes[i] ?? 0;
  if (b0 < 0x80) return 1;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) need = 1;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 2;
    if (b0 === 0xe0) lo = 0xa0;
    else if (b0 === 0xed) hi = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 3;
    if (b0 === 0xf0) lo = 0x90;
    else if (b0 === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + need >= end) return 0;
  const b1 = bytes[i + 1] ?? 0;
  if (b1 < lo || b1 > hi) return 0;
  for (let k = 2; k <= need; k++) {
    const b = bytes[i + k] ?? 0;
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return need + 1;
}

/** Offset of the first byte that is not part of valid UTF-8, or -1 when all of `bytes` is valid. */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0): number {
  const end = bytes.length;
  let i = start;
  while (i < end) {
    if ((bytes[i] ?? 0) < 0x80) {
      i++;
      continue;
    }
    const n = utf8SequenceLength(bytes, i, end);
    if (n === 0) return i;
    i += n;
  }
  return -1;
}
