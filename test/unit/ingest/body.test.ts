import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../../../shared/runtime/errors.ts';
import { SEGMENT_LIMITS } from '../../../shared/event-contract/limits.ts';
import { parseJson, readJsonBody, type RawBody } from '../../../shared/ingest/request-body.ts';

const LIMIT = 1024;
const read = (body: Partial<RawBody>, maxBytes = LIMIT) =>
  readJsonBody(
    { body: '{"a":1}', isBase64Encoded: false, contentType: 'application/json', ...body },
    maxBytes,
  );

/** Runs `fn` and answers the error it threw. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('content type', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset=UTF-8',
    '  application/json  ',
    'text/plain',
    'text/plain;charset=UTF-8',
    'application/vnd.segment+json',
    'application/ld+json',
    'application/x.custom-v1+json; q=1',
    '',
    ' ',
    undefined,
  ])('%j is read as JSON', (contentType) => {
    expect(read({ contentType })).toEqual({ value: { a: 1 }, bytes: 7 });
  });

  it('a form type is read as JSON only when the body is a JSON object (rudder-sdk-node labels its JSON so)', () => {
    const contentType = 'application/x-www-form-urlencoded';
    expect(read({ contentType })).toEqual({ value: { a: 1 }, bytes: 7 });
    expect(read({ contentType, body: ' \n{"a":1}' }).value).toEqual({ a: 1 });
    for (const body of ['a=1&b=2', '[1]', '"x"'])
      expect(thrownBy(() => read({ contentType, body }))).toMatchObject({
        statusCode: 415,
        message: `content-type "${contentType}" is not supported: send JSON as application/json (or text/plain)`,
      });
  });

  it.each([
    'multipart/form-data; boundary=x',
    'text/html',
    'application/xml',
    'application/jsonp',
    'application/json-seq',
    'image/+json',
    'text/json',
  ])('%j is a 415 naming the type', (contentType) => {
    const error = thrownBy(() => read({ contentType }));
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(error).toMatchObject({
      statusCode: 415,
      message: `content-type ${JSON.stringify(contentType)} is not supported: send JSON as application/json (or text/plain)`,
    });
  });

  it('checks the type before anything else, even an empty body', () => {
    expect(thrownBy(() => read({ contentType: 'text/html', body: '' }))).toMatchObject({
      statusCode: 415,
    });
  });
});

describe('size limit', () => {
  const ofBytes = (n: number) => `"${'x'.repeat(n - 2)}"`;

  it('a body of exactly the limit is read', () => {
    expect(read({ body: ofBytes(LIMIT) }).bytes).toBe(LIMIT);
  });

  it.each([
    ['text', { body: ofBytes(LIMIT + 1) }],
    ['base64', { body: Buffer.from(ofBytes(LIMIT + 1)).toString('base64'), isBase64Encoded: true }],
  ])('one byte over (%s) is a 413 naming the limit', (_, body) => {
    const error = thrownBy(() => read(body));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({
      statusCode: 413,
      message: 'request body is 1,025 bytes; this route takes at most 1,024 bytes (1 KB)',
    });
  });

  it('counts UTF-8 bytes, not characters', () => {
    const body = `"${'é'.repeat(400)}"`; // 402 characters, 802 bytes
    expect(read({ body }, 802).bytes).toBe(802);
    expect(thrownBy(() => read({ body }, 801))).toMatchObject({ statusCode: 413 });
  });

  it('names the Segment batch limit in KB', () => {
    const max = SEGMENT_LIMITS.maxBatchBytes;
    expect(thrownBy(() => read({ body: ofBytes(max + 1) }, max))).toMatchObject({
      message: 'request body is 512,001 bytes; this route takes at most 512,000 bytes (500 KB)',
    });
  });
});

describe('encoding and syntax', () => {
  it('decodes a base64 body and counts its decoded bytes', () => {
    const json = '{"event":"Café"}';
    const body = Buffer.from(json).toString('base64');
    expect(read({ body, isBase64Encoded: true })).toEqual({ value: { event: 'Café' }, bytes: 17 });
  });

  it.each([
    ['a lone continuation byte', [0x7b, 0x80, 0x7d]],
    ['a truncated sequence', [0x22, 0xe2, 0x82, 0x22]],
    ['latin-1 text', [...Buffer.from('"caf'), 0xe9, 0x22]],
  ])('invalid UTF-8 in a base64 body (%s) is a 400', (_, bytes) => {
    const error = thrownBy(() =>
      read({ body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ statusCode: 400, message: 'request body is not valid UTF-8' });
  });

  it.each([undefined, ''])('an empty body (%j) is a 400', (body) => {
    expect(thrownBy(() => read({ body }))).toMatchObject({
      statusCode: 400,
      message: 'request body is empty: send a JSON object',
    });
  });

  it.each(['{"a":1', "{'a':1}", '{"a":1,}', 'undefined', '{"a":1}{"b":2}', ' '])(
    'malformed JSON %j is a 400 that quotes the parser',
    (body) => {
      const error = thrownBy(() => read({ body }));
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as Error).message).toMatch(/^request body is not valid JSON: .+/);
    },
  );

  it.each([
    ['[1,2]', [1, 2]],
    ['"text"', 'text'],
    ['null', null],
    ['  {"a":[{"b":true}]}\n', { a: [{ b: true }] }],
  ])('any JSON value is returned for the route to judge: %j', (body, value) => {
    expect(read({ body }).value).toEqual(value);
  });
});

describe('"__proto__" keys', () => {
  it('are dropped at every depth, and nothing gets another prototype', () => {
    const value = parseJson(
      '{"__proto__":{"polluted":1},"batch":[{"type":"track","__proto__":{"admin":true},"properties":{"__proto__":null,"ok":1}}]}',
    ) as { batch: Array<Record<string, unknown>> };
    expect(Object.keys(value)).toEqual(['batch']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    const [event] = value.batch;
    expect(Object.keys(event ?? {})).toEqual(['type', 'properties']);
    expect(event?.properties).toEqual({ ok: 1 });
    expect(Object.prototype.hasOwnProperty.call(event?.properties, '__proto__')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a body without them parses the same as JSON.parse', () => {
    const text = '{"constructor":{"prototype":{"x":1}},"proto":2}';
    expect(parseJson(text)).toEqual(JSON.parse(text));
  });

  it('a "__proto__" string value is kept: only keys are dropped', () => {
    expect(parseJson('{"name":"__proto__"}')).toEqual({ name: '__proto__' });
  });
});

describe('parseJson and __proto__ spelled with escapes', () => {
  test.each(['{"\\u005f_proto__":{"polluted":true}}', '{"__pro\\u0074o__":{"polluted":true}}'])(
    '%s loses its __proto__ key, so copying the object cannot change a prototype',
    (text) => {
      const parsed = parseJson(text) as Record<string, unknown>;
      expect(Object.keys(parsed)).toEqual([]);
      const copy = Object.assign({}, parsed) as Record<string, unknown>;
      expect(copy.polluted).toBeUndefined();
      expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    },
  );
});
