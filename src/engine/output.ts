/**
 * Bounding and batching a step's output: text is gathered per stream and written as
 * `step.output` events of at most `chunkBytes` (when a chunk fills up, or `flushMs` after the
 * first unwritten byte); past `maxBytes` in total one truncation notice is written and the
 * rest is dropped (the process still runs to completion).
 */

/** Where the sink writes one chunk. */
export type ChunkWriter = (stream: 'stdout' | 'stderr', text: string, truncated: boolean) => void;

/** Bounded, batched output of one step execution. */
export class OutputSink {
  readonly #write: ChunkWriter;
  readonly #maxBytes: number;
  readonly #chunkChars: number;
  readonly #flushMs: number;
  readonly #buf = { stdout: '', stderr: '' };
  #bytes = 0;
  #dropped = 0;
  #truncated = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(write: ChunkWriter, maxBytes: number, chunkChars = 16_384, flushMs = 50) {
    this.#write = write;
    this.#maxBytes = maxBytes;
    this.#chunkChars = chunkChars;
    this.#flushMs = flushMs;
  }

  /** Bytes dropped past the limit. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds output text. */
  add(stream: 'stdout' | 'stderr', text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.#truncated) {
      this.#dropped += bytes;
      return;
    }
    if (this.#bytes + bytes > this.#maxBytes) {
      let room = this.#maxBytes - this.#bytes;
      let kept = '';
      for (const ch of text) {
        const b = Buffer.byteLength(ch);
        if (b > room) break;
        kept += ch;
        room -= b;
      }
      this.#buf[stream] += kept;
      this.#bytes = this.#maxBytes;
      this.#dropped += bytes - Buffer.byteLength(kept);
      this.flush();
      this.#truncated = true;
      this.#write(stream, `[output truncated: over ${this.#maxBytes} bytes]\n`, true);
      return;
    }
    this.#bytes += bytes;
    this.#buf[stream] += text;
    if (this.#buf[stream].length >= this.#chunkChars) this.#emit(stream);
    else this.#timer ??= setTimeout(() => this.flush(), this.#flushMs);
  }

  #emit(stream: 'stdout' | 'stderr'): void {
    let text = this.#buf[stream];
    this.#buf[stream] = '';
    while (text.length > 0) {
      let cut = Math.min(text.length, this.#chunkChars);
      const code = text.charCodeAt(cut - 1);
      if (cut < text.length && code >= 0xd800 && code <= 0xdbff) cut--;
      this.#write(stream, text.slice(0, cut), false);
      text = text.slice(cut);
    }
  }

  /** Writes what is buffered. */
  flush(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#buf.stdout !== '') this.#emit('stdout');
    if (this.#buf.stderr !== '') this.#emit('stderr');
  }
}
