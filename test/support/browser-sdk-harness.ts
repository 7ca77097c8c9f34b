import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { makeHandler } from '../../functions/ingest/handler.ts';
import type { KinesisEmulator } from '../../offline/kinesis-emulator.ts';
import { kinesisStreamWriter } from '../../shared/adapters/kinesis/kinesis-stream-writer.ts';
import { WriteKeys } from '../../shared/ingest/write-keys.ts';
import type { HttpApiDefinition } from '../../offline/http-api/http-api-routes.ts';
import { readHttpApiDefinition, startHttpApiFront, type FrontRequest } from './http-api-front.ts';
import { readAllRecords, startStream, type StreamedRecord } from './kinesis.ts';

/**
 * A browser SDK's whole path, for tests in a real browser: headless Chromium opens a shop's
 * page on one loopback origin, served with the SDK's published bundle from node_modules; the
 * SDK posts cross-origin to the HTTP API front (routes and CORS from serverless.yml), which
 * calls the real ingest handler, which writes to kinesalite. No host but 127.0.0.1 resolves,
 * and every request the page makes off those two origins is remembered, so "works offline"
 * is checked, not hoped.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const WRITE_KEY = 'browser-write-key';
const ROOT = resolve(__dirname, '../..');

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: install Chromium (apt-get install chromium), as CI does`,
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Offline for certain: every host but 127.0.0.1 and localhost fails to resolve.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
    ],
  });
}

export interface BrowserSdkHarness {
  /** The API's origin, e.g. http://127.0.0.1:41234. */
  apiUrl: string;
  /** The shop's origin, serving `/` (the page given to open) and `/sdk/<file>`. */
  siteUrl: string;
  /** Every request the API front answered, preflights included. */
  seen: FrontRequest[];
  /** Requests the page tried to make anywhere but the site and the API. */
  offSite: string[];
  records(): Promise<StreamedRecord[]>;
  /** A fresh browser context (no storage carried over), its requests watched. */
  newContext(): Promise<BrowserContext>;
  /** The page the site serves at `/` from now on. */
  setPage(html: string): void;
  close(): Promise<void>;
}

/** sdkFiles: URL name → path under node_modules, served as JavaScript at /sdk/<name>. */
export async function startBrowserSdkHarness(
  sdkFiles: Record<string, string>,
  api: HttpApiDefinition = readHttpApiDefinition(),
): Promise<BrowserSdkHarness> {
  const { emulator, streamName }: { emulator: KinesisEmulator; streamName: string } =
    await startStream(2);
  const handler = makeHandler({
    writer: kinesisStreamWriter(emulator.client, streamName),
    writeKeys: new WriteKeys([WRITE_KEY]),
    retry: { budgetMs: 2_000, baseDelayMs: 10, maxDelayMs: 100 },
  });
  const seen: FrontRequest[] = [];
  const front = await startHttpApiFront({ ingest: handler }, api, (request) => seen.push(request));

  let page = '<!doctype html><title>empty</title>';
  const site: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = path.startsWith('/sdk/') ? sdkFiles[path.slice('/sdk/'.length)] : undefined;
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page);
    } else if (file !== undefined) {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(readFileSync(resolve(ROOT, 'node_modules', file)));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => site.listen(0, '127.0.0.1', done));
  const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;

  const browser = await launchChromium();
  const offSite: string[] = [];
  const allowed = [siteUrl, front.url];
  return {
    apiUrl: front.url,
    siteUrl,
    seen,
    offSite,
    records: () => readAllRecords(emulator.client, streamName),
    async newContext() {
      // Watched, not intercepted: Playwright's request routing answers CORS preflights itself,
      // which would hide the very exchange these tests check. No other host resolves anyway.
      const context = await browser.newContext();
      context.on('request', (request) => {
        const url = request.url();
        if (!allowed.some((origin) => url.startsWith(`${origin}/`))) offSite.push(url);
      });
      return context;
    },
    setPage(html: string) {
      page = html;
    },
    async close() {
      await browser.close();
      site.closeAllConnections();
      await new Promise<void>((done) => site.close(() => done()));
      await front.close();
      await emulator.close();
    },
  };
}

/** A harness for a test file: started before its tests, closed after them. */
export function harnessPerFile(sdkFiles: Record<string, string>): { current: BrowserSdkHarness } {
  const holder = {} as { current: BrowserSdkHarness };
  beforeAll(async () => {
    holder.current = await startBrowserSdkHarness(sdkFiles);
  }, 60_000);
  afterAll(() => holder.current?.close());
  return holder;
}

/** Polls the stream until `count` records whose messageId passes `wanted` are on it. */
export async function waitForRecords(
  harness: BrowserSdkHarness,
  wanted: (record: StreamedRecord) => boolean,
  count: number,
  timeoutMs = 15_000,
): Promise<StreamedRecord[]> {
  const deadline = Date.now() + timeoutMs;
  let found: StreamedRecord[] = [];
  while (Date.now() < deadline) {
    found = (await harness.records()).filter(wanted);
    if (found.length >= count) break;
    await new Promise((done) => setTimeout(done, 200));
  }
  // A little longer, so a doubled delivery (a retry, a beacon after the XHR) shows too.
  await new Promise((done) => setTimeout(done, 500));
  return (await harness.records()).filter(wanted);
}
