/**
 * A seekable WebM video for the viewer test, made without ffmpeg: Chromium encodes frames of noise
 * to VP8 with WebCodecs (a keyframe every second), and muxWebm() writes the container here, with a
 * Duration and Cues (one per cluster, before the clusters, where a demuxer reads them at open).
 * Noise barely compresses, so a few seconds make megabytes: more than the browser fetches for
 * preload="metadata", so a seek near the end must fetch from the middle of the file (a Range).
 * MediaRecorder's WebM has neither Duration nor Cues, so a player can only read it from the start.
 */
import type { Page } from 'playwright-core';

/** One encoded frame: its time in ms, whether it is a keyframe, and its VP8 bytes. */
export interface EncodedFrame { ms: number; key: boolean; data: Uint8Array }

/**
 * Encodes `seconds` of width×height noise at `fps` to VP8 in `page`, which must be a secure context
 * (WebCodecs): http://127.0.0.1 is one.
 */
export async function encodeNoiseVp8(page: Page, { width, height, fps, seconds }: { width: number; height: number; fps: number; seconds: number }): Promise<EncodedFrame[]> {
  const frames = await page.evaluate(async ({ w, h, rate, count }) => {
    const out: { ms: number; key: boolean; data: string }[] = [];
    let failure: unknown = null;
    const encoder = new VideoEncoder({
      output: (chunk) => {
        const bytes = new Uint8Array(chunk.byteLength);
        chunk.copyTo(bytes);
        let binary = '';
        for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        out.push({ ms: Math.round(chunk.timestamp / 1000), key: chunk.type === 'key', data: btoa(binary) });
      },
      error: (e) => { failure = e; },
    });
    encoder.configure({ codec: 'vp8', width: w, height: h, bitrate: 8_000_000, framerate: rate });
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext('2d')!;
    const image = ctx.createImageData(w, h);
    let x = 0x2545f491;
    for (let i = 0; i < count; i++) {
      for (let p = 0; p < image.data.length; p += 4) {
        x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
        image.data.set([x & 255, (x >>> 8) & 255, (x >>> 16) & 255, 255], p);
      }
      ctx.putImageData(image, 0, 0);
      const frame = new VideoFrame(canvas, { timestamp: Math.round((i * 1e6) / rate), duration: Math.round(1e6 / rate) });
      encoder.encode(frame, { keyFrame: i % rate === 0 });
      frame.close();
      while (encoder.encodeQueueSize > 8) await new Promise((r) => setTimeout(r, 1));
    }
    await encoder.flush();
    encoder.close();
    if (failure) throw new Error(String(failure));
    return out;
  }, { w: width, h: height, rate: fps, count: fps * seconds });
  return frames.map((f) => ({ ms: f.ms, key: f.key, data: new Uint8Array(Buffer.from(f.data, 'base64')) }));
}

/** An EBML element; sizes are always written in 8 bytes (allowed, and it keeps sizes predictable). */
function element(id: number, ...body: Uint8Array[]): Uint8Array {
  const idBytes: number[] = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) idBytes.unshift(v % 256);
  const length = body.reduce((n, b) => n + b.length, 0);
  const size = new Uint8Array(8);
  size[0] = 0x01;
  for (let i = 7, v = length; i > 0; i--, v = Math.floor(v / 256)) size[i] = v % 256;
  return concat([new Uint8Array(idBytes), size, ...body]);
}

function uint(id: number, value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value));
  return element(id, bytes);
}

function float(id: number, value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, value);
  return element(id, bytes);
}

function text(id: number, value: string): Uint8Array {
  return element(id, new TextEncoder().encode(value));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A WebM file (Matroska, DocType webm) of VP8 `frames`: a cluster per keyframe, a cue per cluster. */
export function muxWebm(frames: EncodedFrame[], { width, height, fps }: { width: number; height: number; fps: number }): Uint8Array {
  const header = element(0x1a45dfa3, uint(0x4286, 1), uint(0x42f7, 1), uint(0x42f2, 4), uint(0x42f3, 8),
    text(0x4282, 'webm'), uint(0x4287, 2), uint(0x4285, 2));
  const durationMs = frames[frames.length - 1]!.ms + 1000 / fps;
  const info = element(0x1549a966, uint(0x2ad7b1, 1_000_000), float(0x4489, durationMs), text(0x4d80, 'cumulus-test'), text(0x5741, 'cumulus-test'));
  const tracks = element(0x1654ae6b, element(0xae, uint(0xd7, 1), uint(0x73c5, 1), uint(0x83, 1), text(0x86, 'V_VP8'), uint(0x9c, 0),
    element(0xe0, uint(0xb0, width), uint(0xba, height))));
  const clusters: { ms: number; bytes: Uint8Array }[] = [];
  let current: { ms: number; blocks: Uint8Array[] } | null = null;
  const close = () => { if (current) clusters.push({ ms: current.ms, bytes: element(0x1f43b675, uint(0xe7, current.ms), ...current.blocks) }); };
  for (const frame of frames) {
    if (frame.key || !current) {
      close();
      current = { ms: frame.ms, blocks: [] };
    }
    // SimpleBlock: track number (vint 1), time relative to the cluster (int16), flags (keyframe).
    const head = new Uint8Array(4);
    head[0] = 0x81;
    new DataView(head.buffer).setInt16(1, frame.ms - current.ms);
    head[3] = frame.key ? 0x80 : 0;
    current.blocks.push(element(0xa3, head, frame.data));
  }
  close();
  // Cue positions count from the start of the Segment's data; the Cues' size does not depend on them.
  const cues = (positions: number[]) => element(0x1c53bb6b, ...clusters.map((c, i) =>
    element(0xbb, uint(0xb3, c.ms), element(0xb7, uint(0xf7, 1), uint(0xf1, positions[i] ?? 0)))));
  let at = info.length + tracks.length + cues([]).length;
  const positions = clusters.map((c) => {
    const here = at;
    at += c.bytes.length;
    return here;
  });
  return concat([header, element(0x18538067, info, tracks, cues(positions), ...clusters.map((c) => c.bytes))]);
}
