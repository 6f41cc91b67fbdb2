/**
 * A streaming reader of multipart bodies (RFC 2046 §5.1) whose parts carry a Content-Length, as
 * Nextcloud's bulk upload sends them: headers are read line by line, each part's body is handed
 * out as a stream of exactly its length, so a request of any size passes through part by part
 * and nothing but one network chunk and one header block is ever held.
 */

/** The body is not the multipart the client promised: the whole request is refused. */
export class MultipartError extends Error {}

const CRLF_MAX_LINE = 16 * 1024;
const MAX_HEADERS = 64;
const decoder = new TextDecoder('utf-8');

function indexOfCrlf(buf: Uint8Array): number {
  for (let i = 0; i + 1 < buf.length; i++) if (buf[i] === 13 && buf[i + 1] === 10) return i;
  return -1;
}

/** The boundary parameter of a multipart Content-Type; null when the type is not multipart/related. */
export function boundaryOf(contentType: string | null): string | null {
  if (!contentType || !/^\s*multipart\/related\s*(;|$)/i.test(contentType)) return null;
  const m = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

export class MultipartReader {
  private buf: Uint8Array = new Uint8Array(0);
  private eof = false;
  private filling: Promise<boolean> | null = null;
  /** Bytes of the current part's body not yet handed out or skipped. */
  private remaining = 0;
  /** Bumped when a part is left behind, so its stream can never read into the next part. */
  private generation = 0;
  private started = false;
  private finished = false;

  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>, private readonly boundary: string) {}

  /** Reads one more network chunk into the buffer; false at the end. Concurrent callers share one read. */
  private fill(): Promise<boolean> {
    if (this.eof) return Promise.resolve(false);
    this.filling ??= this.reader.read().then(({ done, value }) => {
      this.filling = null;
      if (done) {
        this.eof = true;
        return false;
      }
      if (this.buf.length === 0) this.buf = value;
      else {
        const joined = new Uint8Array(this.buf.length + value.length);
        joined.set(this.buf);
        joined.set(value, this.buf.length);
        this.buf = joined;
      }
      return true;
    }, (e: unknown) => {
      this.filling = null;
      throw new MultipartError(`The request body failed: ${e instanceof Error ? e.message : String(e)}`);
    });
    return this.filling;
  }

  private async readLine(): Promise<string> {
    for (;;) {
      const i = indexOfCrlf(this.buf);
      if (i >= 0) {
        const line = decoder.decode(this.buf.subarray(0, i));
        this.buf = this.buf.subarray(i + 2);
        return line;
      }
      if (this.buf.length > CRLF_MAX_LINE) throw new MultipartError('A multipart line is too long');
      if (!(await this.fill())) {
        // Some clients end the body right after the closing delimiter, without its CRLF.
        if (this.buf.length === 0) throw new MultipartError('The request ended before the closing boundary');
        const line = decoder.decode(this.buf);
        this.buf = new Uint8Array(0);
        return line;
      }
    }
  }

  /** Headers of the next part (names lower-cased), or null after the closing delimiter. */
  async nextPart(): Promise<Map<string, string> | null> {
    if (this.finished) return null;
    if (this.remaining > 0) await this.skipBody();
    let line: string;
    if (this.started) {
      if ((await this.readLine()) !== '') throw new MultipartError('A part is longer than its Content-Length');
      line = await this.readLine();
    } else {
      // A preamble before the first delimiter is allowed and ignored.
      this.started = true;
      let skipped = 0;
      while (!(line = await this.readLine()).startsWith(`--${this.boundary}`)) {
        if (++skipped > MAX_HEADERS) throw new MultipartError('No multipart boundary found');
      }
    }
    line = line.replace(/[ \t]+$/, '');
    if (line === `--${this.boundary}--`) {
      this.finished = true;
      return null;
    }
    if (line !== `--${this.boundary}`) throw new MultipartError('Boundary not found where it should be');
    const headers = new Map<string, string>();
    for (let n = 0; (line = await this.readLine()) !== ''; n++) {
      const colon = line.indexOf(':');
      if (colon <= 0 || n >= MAX_HEADERS) throw new MultipartError('Malformed part header');
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    return headers;
  }

  /** The current part's body: exactly `length` bytes, streamed from the request. */
  body(length: number): ReadableStream<Uint8Array> {
    const generation = ++this.generation;
    this.remaining = length;
    const take = async (): Promise<Uint8Array | null> => {
      if (generation !== this.generation || this.remaining === 0) return null;
      if (this.buf.length === 0 && !(await this.fill())) throw new MultipartError('The request ended inside a part');
      if (generation !== this.generation) return null;
      const n = Math.min(this.remaining, this.buf.length);
      // A chunk that ends inside this part is handed on as is; one that straddles the next part is copied.
      const out = n === this.buf.length ? this.buf : this.buf.slice(0, n);
      this.buf = n === this.buf.length ? new Uint8Array(0) : this.buf.subarray(n);
      this.remaining -= n;
      return out;
    };
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const chunk = await take();
        if (chunk === null) return controller.close();
        controller.enqueue(chunk);
      },
      // The consumer gave up (e.g. a refused part): the reader skips what is left.
    }, { highWaterMark: 0 });
  }

  /** The current part's body read whole: only for parts the caller knows to be small. */
  async bytes(length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    const reader = this.body(length).getReader();
    for (let o = 0; ;) {
      const { done, value } = await reader.read();
      if (done) return out;
      out.set(value, o);
      o += value.byteLength;
    }
  }

  /** Discards what the consumer left of the current part's body. */
  async skipBody(): Promise<void> {
    this.generation++;
    while (this.remaining > 0) {
      if (this.buf.length === 0 && !(await this.fill())) throw new MultipartError('The request ended inside a part');
      const n = Math.min(this.remaining, this.buf.length);
      this.buf = this.buf.subarray(n);
      this.remaining -= n;
    }
  }
}
