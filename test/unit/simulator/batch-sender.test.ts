import { makeBatchSender, IngestUnreachableError } from '../../../tools/simulator/batch-sender.ts';
import type { WireMessage } from '../../../tools/simulator/corrupt.ts';

const batch: WireMessage[] = ['a', 'b', 'b', 'c'].map((messageId) => ({
  messageId,
  type: 'track',
}));
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers });

function sender(answers: Response[]) {
  const bodies: Array<{ batch: WireMessage[] }> = [];
  const sleeps: number[] = [];
  const fetch = jest.fn(async (_url: unknown, init?: RequestInit) => {
    bodies.push(JSON.parse(String(init?.body)) as { batch: WireMessage[] });
    const answer = answers.shift();
    if (!answer) throw new TypeError('fetch failed');
    return answer;
  });
  const send = makeBatchSender({
    fetch: fetch as unknown as typeof globalThis.fetch,
    sleep: async (ms) => void sleeps.push(ms),
    target: 'http://localhost:3000',
    writeKey: 'local-write-key',
  });
  return { send, bodies, sleeps };
}

describe('makeBatchSender', () => {
  it('resends only what a 503 lists as not written, by index, after Retry-After', async () => {
    const { send, bodies, sleeps } = sender([
      json(503, { notWritten: [{ index: 2, messageId: 'b' }] }, { 'retry-after': '2' }),
      json(200, { success: true }),
    ]);
    expect(await send(batch)).toEqual({ accepted: 4, rejected: 0, retried: 1 });
    expect(bodies[1]?.batch).toEqual([batch[2]]);
    expect(sleeps).toEqual([2000]);
  });

  it('counts rejections in a 200 and in a 400 with rejected[]', async () => {
    const partial = sender([json(200, { success: true, accepted: 3, rejected: [{ index: 0 }] })]);
    expect(await partial.send(batch)).toEqual({ accepted: 3, rejected: 1, retried: 0 });
    const none = sender([json(400, { success: false, error: 'no valid event', rejected: [] })]);
    expect(await none.send(batch)).toEqual({ accepted: 0, rejected: 4, retried: 0 });
  });

  it('counts a rejected event once when its bad row had to be resent after a 503', async () => {
    const { send, bodies } = sender([
      json(503, {
        notWritten: [
          { index: 0, messageId: 'a' },
          { index: 3, messageId: 'c' },
        ],
        rejected: [{ index: 0 }, { index: 1 }],
      }),
      json(200, { success: true, accepted: 1, rejected: [{ index: 0 }] }),
    ]);
    expect(await send(batch)).toEqual({ accepted: 2, rejected: 2, retried: 2 });
    expect(bodies[1]?.batch).toEqual([batch[0], batch[3]]);
  });

  it('resends the whole batch when a 200 is not the API answer (a local gateway wraps a timed-out function so)', async () => {
    const { send, bodies } = sender([
      json(200, { errorMessage: '[504] - Lambda timeout.', errorType: 'LambdaTimeoutError' }),
      json(502, { message: 'Internal Server Error' }),
      json(200, { success: true }),
    ]);
    expect(await send(batch)).toEqual({ accepted: 4, rejected: 0, retried: 8 });
    expect(bodies.map((b) => b.batch)).toEqual([batch, batch, batch]);
  });

  it('says what to do when the API is not running or refuses the key', async () => {
    await expect(sender([]).send(batch)).rejects.toThrow(
      new IngestUnreachableError('http://localhost:3000', null).message,
    );
    await expect(sender([json(401, { error: 'bad key' })]).send(batch)).rejects.toThrow(
      /--write-key/,
    );
  });
});
