/**
 * The file viewer (/apps/viewer/?path=…) and its details panel in a real browser (Chromium through
 * playwright-core) against `wrangler dev`: an image, the text editor (Ctrl+S saves with If-Match; a
 * change made meanwhile gives the 412 message and is not overwritten), restoring a version from the
 * details panel, seeking in audio (a WAV written by hand) and video (no ffmpeg here: VP8 that
 * Chromium encodes with WebCodecs, in a WebM written by ./webm.ts) — both megabytes, so a seek near
 * the end makes the browser ask for a Range from the middle of the file, answered 206 —, a PDF
 * (opened in a new tab, downloaded), another type (download), 360 px, German, a missing file, the
 * image and text viewers in the dark and high-contrast themes. Keyboard only where a user acts;
 * axe-core on each viewer; screenshots in test-artifacts/screenshots/viewer-*.
 */
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page, Response as PwResponse } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, strongPassword } from '../../support/server.mjs';
import { basic, closeAll, expectNoSeriousAxeViolations, fitsWidth, launchChromium, screenshot, signIn, tabTo } from './browser';
import { encodeNoiseVp8, muxWebm } from './webm';

let server: Awaited<ReturnType<typeof startServer>>;
let browser: Browser;
let alice: { user: string; password: string };
let context: BrowserContext;
let page: Page;

async function dav(method: string, path: string, body?: Uint8Array | string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.davUrl(alice.user)}${path.replace(/^\//, '')}`, {
    method, body, headers: { Authorization: basic(alice.user, alice.password), ...headers },
  });
}

async function put(path: string, body: Uint8Array | string, type: string): Promise<void> {
  const res = await dav('PUT', path, body, { 'Content-Type': type });
  expect(res.status, `PUT ${path}`).toBeLessThan(300);
  await res.arrayBuffer();
}

async function read(path: string): Promise<string> {
  const res = await dav('GET', path);
  expect(res.status).toBe(200);
  return res.text();
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const b of data) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A real 16×16 RGB PNG (a red square), encoded here. */
async function png(): Promise<Uint8Array> {
  const { deflateSync } = await import('node:zlib');
  const w = 16;
  const raw = Buffer.alloc((w * 3 + 1) * w);
  for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) raw.set([200, 30, 30], y * (w * 3 + 1) + 1 + x * 3);
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([head, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(w, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A PCM WAV: `seconds` of a 440 Hz tone, 16-bit mono at 22.05 kHz (about 44 KB a second). */
function wav(seconds: number): Uint8Array {
  const rate = 22050;
  const samples = rate * seconds;
  const out = Buffer.alloc(44 + samples * 2);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + samples * 2, 4);
  out.write('WAVEfmt ', 8, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return out;
}

const VIDEO = { width: 160, height: 120, fps: 25, seconds: 12 };
/** Seconds of the WAV: 44 KB each, so about 5 MB. */
const AUDIO_SECONDS = 120;
let audioBytes = 0;
let videoBytes = 0;

/**
 * A seekable WebM (VP8 noise, 160×120, 12 s, several MB), encoded by Chromium on a page of the
 * server (WebCodecs needs a secure context, which http://127.0.0.1 is).
 */
async function makeVideo(): Promise<Uint8Array> {
  const scratch = await browser.newPage();
  try {
    await scratch.goto(`${server.url}/status.php`);
    return muxWebm(await encodeNoiseVp8(scratch, VIDEO), VIDEO);
  } finally {
    await scratch.close();
  }
}

/** Records the Range requests the page makes for `file`, with the server's status, in `ranged` (in answer order) until stop(). */
function recordRanges(p: Page, file: string) {
  const ranged: { status: number; range: string; start: number }[] = [];
  const onResponse = async (res: PwResponse) => {
    if (!res.url().endsWith(file)) return;
    const range = (await res.request().allHeaders()).range;
    if (range) ranged.push({ status: res.status(), range, start: Number(/^bytes=(\d+)-/.exec(range)?.[1] ?? NaN) });
  };
  p.on('response', onResponse);
  return {
    ranged,
    stop: () => p.off('response', onResponse),
  };
}

/**
 * Seeks the page's media element to `time` once it knows its duration, after checking that the
 * browser has not buffered that far (so the seek has to fetch), and waits for 'seeked'.
 */
async function seekUnbuffered(p: Page, selector: string, time: number): Promise<{ bufferedEnd: number }> {
  return p.evaluate(([sel, t]) => new Promise<{ bufferedEnd: number }>((resolve) => {
    const media = document.querySelector(sel) as HTMLMediaElement;
    const b = media.buffered;
    const bufferedEnd = b.length ? b.end(b.length - 1) : 0;
    media.addEventListener('seeked', () => resolve({ bufferedEnd }), { once: true });
    media.currentTime = t;
  }), [selector, time] as const);
}

/**
 * Seeks `selector` to `time`, which must lie past what the browser buffered (`bufferedBefore`
 * seconds at most), and waits for a 206 that starts in the second half of the file's `bytes`:
 * the seek fetched from there, not from the start.
 */
async function expectSeekFetchesSecondHalf(
  p: Page, requests: ReturnType<typeof recordRanges>, selector: string, time: number, bufferedBefore: number, bytes: number,
): Promise<void> {
  const mark = requests.ranged.length;
  const { bufferedEnd } = await seekUnbuffered(p, selector, time);
  expect(bufferedEnd).toBeLessThan(bufferedBefore);
  expect(await p.evaluate((sel) => (document.querySelector(sel) as HTMLMediaElement).currentTime, selector)).toBeCloseTo(time, 1);
  await expect.poll(() => requests.ranged.slice(mark).filter((r) => r.status === 206 && r.start > bytes / 2).length,
    { message: JSON.stringify(requests.ranged) }).toBeGreaterThan(0);
}

const PDF = `%PDF-1.4
1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj
2 0 obj <</Type /Pages /Kids [3 0 R] /Count 1>> endobj
3 0 obj <</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>> endobj
trailer <</Root 1 0 R>>
%%EOF
`;

const viewerPath = (path: string) => `/apps/viewer/?path=${encodeURIComponent(path)}`;
const viewerUrl = (path: string) => `${server.url}${viewerPath(path)}`;

async function open(p: Page, path: string): Promise<void> {
  await p.goto(viewerUrl(path));
  await p.getByRole('heading', { level: 1, name: path.split('/').pop() }).waitFor();
}

beforeAll(async () => {
  server = await startServer({ name: 'web-viewers' });
  alice = await server.createUser('alice', strongPassword(), { displayName: 'Alice Liddell' });
  for (const dir of ['pics', 'docs', 'media']) expect((await dav('MKCOL', dir)).status).toBe(201);
  await put('pics/dot.png', await png(), 'image/png');
  await put('docs/notes.txt', 'first draft\n', 'text/plain');
  await put('docs/report.txt', 'report v1', 'text/plain');
  // The second write keeps the first content as a version (no version exists within two minutes).
  await put('docs/report.txt', 'report v2', 'text/plain');
  const tone = wav(AUDIO_SECONDS);
  audioBytes = tone.length;
  await put('media/tone.wav', tone, 'audio/wav');
  await put('docs/paper.pdf', PDF, 'application/pdf');
  await put('docs/archive.bin', new Uint8Array([1, 2, 3, 4]), 'application/octet-stream');
  browser = await launchChromium();
  const clip = await makeVideo();
  videoBytes = clip.length;
  expect(videoBytes).toBeGreaterThan(4 * 1024 * 1024);
  await put('media/clip.webm', clip, 'video/webm');
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  // Sign in on the sign-in page, which sends us on to the viewer.
  await signIn(page, server.url, alice, { to: viewerPath('/pics/dot.png'), landing: (u) => u.pathname === '/apps/viewer/' });
}, 5 * 60_000);

afterAll(() => closeAll(browser, server));

describe('the file viewer', () => {
  it('shows an image from its WebDAV URL, with the details panel and a download link', async () => {
    await page.getByRole('heading', { level: 1, name: 'dot.png' }).waitFor();
    const img = page.getByRole('img', { name: 'dot.png' });
    await img.waitFor();
    await page.waitForFunction(() => (document.querySelector('img.image-viewer') as HTMLImageElement | null)?.complete === true);
    expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(16);
    const details = page.getByRole('complementary', { name: 'Details' });
    await details.getByText('image/png').waitFor();
    // The versions list loads after the file's properties: wait for it rather than read it at once.
    await details.getByText('No older versions.').waitFor();
    expect(await details.getByText('No older versions.').count()).toBe(1);
    const download = page.locator('.viewer-actions').getByRole('link', { name: 'Download' });
    expect(await download.getAttribute('href')).toBe('/remote.php/dav/files/alice/pics/dot.png');
    const back = page.getByRole('link', { name: 'Back to pics' });
    expect(await back.getAttribute('href')).toBe(`/apps/files/?dir=${encodeURIComponent('/pics')}`);
    await expect.poll(() => page.title()).toBe('dot.png - Cumulus');
    await expectNoSeriousAxeViolations(page, 'image viewer');
    await screenshot(page, 'viewer-01-image');
  });

  it('edits a text file and saves it with Ctrl+S; a change made meanwhile gives the 412 message and survives', async () => {
    await open(page, '/docs/notes.txt');
    const editor = page.getByLabel('Text of notes.txt');
    await editor.waitFor();
    expect(await editor.inputValue()).toBe('first draft\n');
    await expect.poll(() => page.locator('#text-dirty').textContent()).toBe('No unsaved changes');
    await tabTo(page, '#text-editor', { max: 60 });
    await page.keyboard.press('Control+A');
    await page.keyboard.type('second draft, typed in the browser');
    expect(await page.locator('#text-dirty').textContent()).toBe('Unsaved changes');
    await expectNoSeriousAxeViolations(page, 'text editor with changes');
    await page.keyboard.press('Control+S');
    await page.locator('.text-viewer [role="status"]').getByText('Saved.').waitFor();
    expect(await read('docs/notes.txt')).toBe('second draft, typed in the browser');
    expect(await page.locator('#text-dirty').textContent()).toBe('No unsaved changes');
    await screenshot(page, 'viewer-02-text-saved');

    // Someone else writes the file over WebDAV; our next save must not overwrite it.
    await put('docs/notes.txt', 'written elsewhere', 'text/plain');
    await page.keyboard.type(' and more');
    await page.keyboard.press('Control+S');
    const conflict = page.getByRole('alert').filter({ hasText: 'This file was changed meanwhile' });
    await conflict.waitFor();
    expect(await read('docs/notes.txt')).toBe('written elsewhere');
    expect(await editor.inputValue()).toBe('second draft, typed in the browser and more');
    await expectNoSeriousAxeViolations(page, 'text editor conflict');
    await screenshot(page, 'viewer-03-text-conflict');
    // Reload (keyboard) shows what the server has.
    await tabTo(page, '.text-conflict button', { max: 60 });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByLabel('Text of notes.txt').inputValue()).toBe('written elsewhere');
  });

  it('restores a version from the details panel: the file and the viewer have the old content again', async () => {
    await open(page, '/docs/report.txt');
    await expect.poll(() => page.getByLabel('Text of report.txt').inputValue()).toBe('report v2');
    const details = page.getByRole('complementary', { name: 'Details' });
    const versions = details.getByRole('list', { name: 'Versions' });
    await versions.getByRole('button', { name: /^Restore the version of / }).first().waitFor();
    const items = versions.getByRole('listitem');
    expect(await items.count()).toBe(2);
    expect(await items.first().textContent()).toContain('Current version');
    const versionHref = await versions.getByRole('link', { name: /^Download the version of / }).getAttribute('href');
    expect(versionHref).toMatch(/^\/remote\.php\/dav\/versions\/alice\/versions\/\d+\/\d+$/);
    const old = await fetch(`${server.url}${versionHref}`, { headers: { Authorization: basic(alice.user, alice.password) } });
    expect(await old.text()).toBe('report v1');
    await expectNoSeriousAxeViolations(page, 'details with versions');
    await screenshot(page, 'viewer-04-versions');

    await tabTo(page, 'button[aria-label^="Restore the version of"]', { max: 60 });
    await page.keyboard.press('Enter');
    await details.getByRole('status').filter({ hasText: 'was restored' }).waitFor();
    await expect.poll(() => page.getByLabel('Text of report.txt').inputValue()).toBe('report v1');
    expect(await read('docs/report.txt')).toBe('report v1');
    await screenshot(page, 'viewer-05-restored');
  });

  it('plays audio streamed with Range: a seek near the end fetches from the middle of the file (206)', async () => {
    const requests = recordRanges(page, '/media/tone.wav');
    try {
      await open(page, '/media/tone.wav');
      const audio = page.locator('audio.media-viewer');
      await audio.waitFor();
      expect(await audio.getAttribute('controls')).not.toBeNull();
      await page.waitForFunction((seconds) => {
        const a = document.querySelector('audio');
        return !!a && a.readyState >= 1 && Math.round(a.duration) === seconds;
      }, AUDIO_SECONDS);
      // preload="metadata": the browser had far less than 100 s, so the seek had to fetch; 100 s in
      // is byte 44 + 100 × 44,100, in the file's second half.
      await expectSeekFetchesSecondHalf(page, requests, 'audio', 100, 100, audioBytes);
      await expectNoSeriousAxeViolations(page, 'audio viewer');
      await screenshot(page, 'viewer-06-audio');
    } finally {
      requests.stop();
    }
  });

  it('plays a video streamed with Range: it decodes, a seek near the end fetches from the middle of the file (206)', async () => {
    const requests = recordRanges(page, '/media/clip.webm');
    try {
      await open(page, '/media/clip.webm');
      const video = page.locator('video.media-viewer');
      await video.waitFor();
      await page.waitForFunction((seconds) => {
        const v = document.querySelector('video');
        return !!v && v.readyState >= 2 && v.videoWidth === 160 && Math.round(v.duration) === seconds;
      }, VIDEO.seconds);
      // The Cues lead the browser to the cluster of second 10, in the file's last sixth.
      await expectSeekFetchesSecondHalf(page, requests, 'video', 10.5, 10, videoBytes);
      // And it shows the frame there.
      await page.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement).readyState >= 2);
      await expectNoSeriousAxeViolations(page, 'video viewer');
      await screenshot(page, 'viewer-06b-video');
    } finally {
      requests.stop();
    }
  });

  it('offers a PDF in the browser\'s own viewer in a new tab, and as a download (keyboard)', async () => {
    await open(page, '/docs/paper.pdf');
    const openLink = page.getByRole('link', { name: 'Open in a new tab' });
    await openLink.waitFor();
    expect(await openLink.getAttribute('href')).toMatch(/^blob:/);
    await expectNoSeriousAxeViolations(page, 'pdf viewer');
    await screenshot(page, 'viewer-07-pdf');
    await tabTo(page, '.pdf-links a[target="_blank"]', { max: 60 });
    const [tab] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('Enter')]);
    await tab.waitForLoadState('domcontentloaded').catch(() => {});
    expect(tab.url()).toMatch(/^blob:http:\/\/127\.0\.0\.1:\d+\//);
    await tab.close();
    await tabTo(page, '.pdf-links a[download]', { max: 60 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    expect(download.suggestedFilename()).toBe('paper.pdf');
    expect(readFileSync(await download.path()).subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
  });

  it('offers any other type as a download', async () => {
    await open(page, '/docs/archive.bin');
    await page.getByText('This kind of file (application/octet-stream) cannot be shown here.').waitFor();
    await expectNoSeriousAxeViolations(page, 'other type');
    await screenshot(page, 'viewer-07b-download-only');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download archive.bin' }).click()]);
    expect(download.suggestedFilename()).toBe('archive.bin');
  });

  it('fits 360 px: the details panel starts collapsed and opens with its toggle', async () => {
    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 360, height: 740 });
    await open(narrow, '/docs/report.txt');
    const toggle = narrow.getByRole('button', { name: 'Details' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await narrow.getByRole('complementary', { name: 'Details' }).count()).toBe(0);
    await toggle.focus();
    await narrow.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await narrow.getByRole('complementary', { name: 'Details' }).getByRole('heading', { name: 'Versions' }).waitFor();
    expect(await fitsWidth(narrow)).toBe(true);
    await expectNoSeriousAxeViolations(narrow, 'viewer at 360 px');
    await screenshot(narrow, 'viewer-08-narrow');
    await narrow.close();
  });

  it('says so for a missing file, and the page is German when the browser is', async () => {
    await page.goto(viewerUrl('/docs/nothing.txt'));
    await page.getByRole('alert').getByText('This file does not exist (any more).').waitFor();
    await expect.poll(() => page.title()).toBe('nothing.txt - Cumulus');
    expect(await page.getByRole('link', { name: 'Back to docs' }).getAttribute('href')).toBe(`/apps/files/?dir=${encodeURIComponent('/docs')}`);
    await expectNoSeriousAxeViolations(page, 'viewer: missing file');
    await screenshot(page, 'viewer-09-missing-file');
    const de = await browser.newContext({ locale: 'de-DE', storageState: await context.storageState() });
    const p = await de.newPage();
    await open(p, '/docs/report.txt');
    await p.getByRole('button', { name: 'Speichern' }).waitFor();
    await p.getByRole('complementary', { name: 'Details' }).getByRole('heading', { name: 'Versionen' }).waitFor();
    await de.close();
  });
});

describe('the viewer in the dark and high-contrast themes', () => {
  for (const theme of ['dark', 'high-contrast']) {
    it(`the ${theme} theme: the image viewer and the text editor with unsaved changes pass axe`, async () => {
      const themed = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', storageState: await context.storageState() });
      await themed.addInitScript((value) => localStorage.setItem('cumulus.theme', value), theme);
      const p = await themed.newPage();
      try {
        await open(p, '/pics/dot.png');
        expect(await p.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        await p.waitForFunction(() => (document.querySelector('img.image-viewer') as HTMLImageElement | null)?.complete === true);
        await p.getByRole('complementary', { name: 'Details' }).getByText('image/png').waitFor();
        await expectNoSeriousAxeViolations(p, `${theme}: image viewer`);
        await screenshot(p, `viewer-10-${theme}-image`);

        await open(p, '/docs/report.txt');
        const editor = p.getByLabel('Text of report.txt');
        await expect.poll(() => editor.inputValue()).not.toBe('');
        await p.getByRole('complementary', { name: 'Details' }).getByRole('list', { name: 'Versions' }).waitFor();
        await editor.click();
        await p.keyboard.press('End');
        await p.keyboard.type(' (unsaved)');
        await p.locator('#text-dirty').getByText('Unsaved changes').waitFor();
        await expectNoSeriousAxeViolations(p, `${theme}: text editor`);
        await screenshot(p, `viewer-11-${theme}-text`);
      } finally {
        await themed.close();
      }
    });
  }
});
