import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../../../shared/runtime/errors.ts';
import { SEGMENT_LIMITS } from '../../../shared/event-contract/limits.ts';
import { readJsonBody, type RawBody } from '../../../shared/ingest/request-body.ts';

/**
 * Content-Encoding gzip and deflate, as the Segment and RudderStack APIs accept them (the
 * RudderStack Node SDK gzips every batch by default). API Gateway hands a compressed body
 * to Lambda base64-encoded; the route's limit applies to the inflated bytes, checked while
 * inflating.
 */
const batch = JSON.stringify({
  batch: [{ type: 'track', event: 'Product Viewed', anonymousId: 'a-1', messageId: 'm-1' }],
});

const compressed = (bytes: Buffer, contentEncoding: string): Partial<RawBody> => ({
  body: bytes.toString('base64'),
  isBase64Encoded: true,
  contentEncoding,
});

const read = (body: Partial<RawBody>, maxBytes: number = SEGMENT_LIMITS.maxBatchBytes) =>
  readJsonBody(
    { body: batch, isBase64Encoded: false, contentType: 'application/json', ...body },
    maxBytes,
  );

function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('Content-Encoding', () => {
  test.each([
    ['gzip', gzipSync(batch)],
    ['x-gzip', gzipSync(batch)],
    ['GZIP', gzipSync(batch)],
    ['deflate (zlib format, RFC 9110)', deflateSync(batch)],
    ['deflate (raw, as some clients send it)', deflateRawSync(batch)],
    ['identity', Buffer.from(batch)],
    ['gzip, identity', gzipSync(batch)],
  ])('%s: the inflated JSON is read, and counted in inflated bytes', (encoding, bytes) => {
    const header = encoding.split(' (')[0] ?? encoding;
    const { value, bytes: counted } = read(compressed(bytes, header));
    expect(value).toEqual(JSON.parse(batch));
    expect(counted).toBe(Buffer.byteLength(batch));
  });

  test('two codings are undone in the reverse order of the header (deflate, then gzip)', () => {
    const twice = gzipSync(deflateSync(batch));
    expect(read(compressed(twice, 'deflate, gzip')).value).toEqual(JSON.parse(batch));
  });

  test('a decompression bomb is a 413 at the inflated limit, without inflating it all', () => {
    // 200 MB of spaces compress to ~200 KB; inflating stops at the 500 KB limit.
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024, 0x20));
    const before = process.memoryUsage().arrayBuffers;
    const error = thrownBy(() => read(compressed(bomb, 'gzip')));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.message).toMatch(/inflates to more than 512,000 bytes \(500 KB\)/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50 * 1024 * 1024);
  });

  test('one message over 32 KB once inflated is a 413 on a single-event route', () => {
    const big = JSON.stringify({
      type: 'track',
      event: 'x',
      properties: { pad: 'y'.repeat(40_000) },
    });
    const error = thrownBy(() =>
      read(compressed(gzipSync(big), 'gzip'), SEGMENT_LIMITS.maxEventBytes),
    );
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.message).toMatch(/32 KB/);
  });

  test('a body of exactly the limit once inflated is read', () => {
    const exact = `{"a":"${'b'.repeat(1024 - 8)}"}`;
    expect(Buffer.byteLength(exact)).toBe(1024);
    expect(read(compressed(gzipSync(exact), 'gzip'), 1024).bytes).toBe(1024);
    expect(thrownBy(() => read(compressed(gzipSync(exact), 'gzip'), 1023))).toBeInstanceOf(
      PayloadTooLargeError,
    );
  });

  test('a truncated gzip stream is a 400 that says so', () => {
    const whole = gzipSync(batch);
    const error = thrownBy(() => read(compressed(whole.subarray(0, whole.length - 10), 'gzip')));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toMatch(/not valid gzip data .*corrupt or truncated/);
  });

  test('bytes that are not gzip at all are a 400, not a 500', () => {
    const error = thrownBy(() => read(compressed(Buffer.from(batch), 'gzip')));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).statusCode).toBe(400);
  });

  test('gzip of bytes that are not UTF-8 is a 400 naming the inflated body', () => {
    const error = thrownBy(() =>
      read(compressed(gzipSync(Buffer.from([0xff, 0xfe, 0x7b])), 'gzip')),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toMatch(/not valid UTF-8 once inflated/);
  });

  test.each(['br', 'zstd', 'compress'])(
    'an unknown coding (%s) is a 415 naming those accepted',
    (coding) => {
      const error = thrownBy(() => read(compressed(gzipSync(batch), coding)));
      expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
      expect(error.message).toContain(`content-encoding "${coding}" is not supported`);
      expect(error.message).toContain('gzip or deflate');
    },
  );
});
