import { AppError, UnauthorizedError } from '../../../shared/runtime/errors.ts';
import {
  assertWriteKey,
  WriteKeys,
  writeKeyFromAuthorization,
  writeKeyFromBody,
} from '../../../shared/ingest/write-keys.ts';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;
const MALFORMED = 'Authorization must be HTTP Basic with the write key as the user name';
const MISSING =
  'a write key is required: send it as the HTTP Basic user name (empty password) or as "writeKey" in the body';
const INVALID = 'the write key is not valid';

/** Runs `fn` and answers the error it threw, so tests can assert on its fields. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('writeKeyFromAuthorization', () => {
  it.each([
    ['the key as user, empty password', basic('wk_live_1:'), 'wk_live_1'],
    ['the key with no colon at all', basic('wk_live_1'), 'wk_live_1'],
    ['a password, which is ignored', basic('wk_live_1:secret'), 'wk_live_1'],
    ['colons after the first belong to the password', basic('wk:a:b'), 'wk'],
    ['a lower-case scheme', `basic ${Buffer.from('wk:').toString('base64')}`, 'wk'],
    [
      'extra spaces around the credentials',
      `Basic   ${Buffer.from('wk:').toString('base64')}  `,
      'wk',
    ],
    ['base64url alphabet', `Basic ${Buffer.from('ü>?~:').toString('base64url')}`, 'ü>?~'],
    ['a multi-byte key', basic('clé-été:'), 'clé-été'],
    ['an empty user', basic(':'), ''],
    ['no credentials at all', 'Basic ', ''],
  ])('%s', (_, header, key) => {
    expect(writeKeyFromAuthorization(header)).toBe(key);
  });

  it('no header means no key from the header', () => {
    expect(writeKeyFromAuthorization(undefined)).toBeUndefined();
  });

  it.each([
    'Bearer eyJhbGciOiJIUzI1NiJ9',
    'Basic',
    'Basicd2s6',
    'Basic d2s6 d2s6',
    'Basic !!!!',
    'Digest username="wk"',
    'd2s6',
    `Token ${Buffer.from('wk:').toString('base64')}`,
  ])('malformed %j is a 401 that says what to send', (header) => {
    const error = thrownBy(() => writeKeyFromAuthorization(header));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({
      message: MALFORMED,
      statusCode: 401,
      expose: true,
      headers: { 'www-authenticate': 'Basic realm="ingest"' },
    });
  });
});

describe('writeKeyFromBody', () => {
  it.each([
    [{ writeKey: 'wk_body', batch: [] }, 'wk_body'],
    [{ writeKey: '' }, ''],
    [{ writeKey: 42 }, undefined],
    [{ writeKey: null }, undefined],
    [{ batch: [] }, undefined],
    [[{ writeKey: 'wk' }], undefined],
    ['wk', undefined],
    [null, undefined],
  ])('%j -> %j', (body, key) => {
    expect(writeKeyFromBody(body)).toBe(key);
  });
});

describe('assertWriteKey', () => {
  const keys = new WriteKeys(['wk_live_1', 'wk_live_2']);

  it.each(['wk_live_1', 'wk_live_2'])('accepts configured key %s', (key) => {
    expect(() => assertWriteKey(keys, key)).not.toThrow();
  });

  it.each([
    [undefined, MISSING],
    ['', MISSING],
    ['wk_live_3', INVALID],
    ['wk_live_', INVALID],
    ['wk_live_1 ', INVALID],
    ['WK_LIVE_1', INVALID],
    ['wk_live_1wk_live_2', INVALID],
  ])('%j is a 401: %s', (key, message) => {
    const error = thrownBy(() => assertWriteKey(keys, key));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ name: 'UnauthorizedError', message, statusCode: 401 });
  });

  it('with no keys configured nothing is valid', () => {
    expect(() => assertWriteKey(new WriteKeys([]), 'anything')).toThrow(INVALID);
  });
});

describe('header and body together, as the use case reads them', () => {
  const keys = new WriteKeys(['wk_live_1']);
  /** The header key when there is one, else the body key; then the check. */
  const authorise = (header: string | undefined, body: unknown) => {
    const fromHeader = writeKeyFromAuthorization(header);
    assertWriteKey(keys, fromHeader ?? writeKeyFromBody(body));
  };

  it.each([
    ['header only', basic('wk_live_1:'), {}],
    ['body only', undefined, { writeKey: 'wk_live_1' }],
    ['header wins over a wrong body key', basic('wk_live_1:'), { writeKey: 'nope' }],
  ])('%s is let in', (_, header, body) => {
    expect(() => authorise(header, body)).not.toThrow();
  });

  it.each([
    ['a wrong header key, even with a right body key', basic('nope:'), { writeKey: 'wk_live_1' }],
    ['neither', undefined, { batch: [] }],
    ['an empty header and no body key', '', {}],
    ['the key sent as the password', basic(':wk_live_1'), {}],
  ])('%s is a 401', (_, header, body) => {
    expect(thrownBy(() => authorise(header, body))).toMatchObject({ statusCode: 401 });
  });
});
