import { readdirSync, readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { makeHandler } from '../../../functions/ingest/handler.ts';
import { WriteKeys } from '../../../shared/ingest/write-keys.ts';
import { lambdaContext } from '../../support/api-events.ts';
import { MemoryStream } from '../../support/memory-stream.ts';

/** events/api/: the samples for `sls invoke local -p`, one per route, each accepted whole. */
const SAMPLES = readdirSync('events/api').filter((name) => name.endsWith('.json'));

test.each(SAMPLES)('%s is answered 200 and every event in it is on the stream', async (name) => {
  const event = JSON.parse(readFileSync(`events/api/${name}`, 'utf8')) as APIGatewayProxyEventV2;
  const stream = new MemoryStream();
  const handler = makeHandler({
    writer: stream,
    writeKeys: new WriteKeys(['local-write-key']),
    retry: { budgetMs: 100, baseDelayMs: 1, maxDelayMs: 1 },
  });
  const response = await handler(event, lambdaContext);
  expect(response).toMatchObject({ statusCode: 200, body: '{"success":true}' });
  expect(stream.records().length).toBeGreaterThan(0);
  expect(stream.records().every((record) => record.type !== 'rejected')).toBe(true);
});

test('there is a sample for each of the Spec calls', () => {
  for (const type of ['track', 'page', 'screen', 'identify', 'group', 'alias']) {
    expect(SAMPLES).toContain(`v1-${type}.json`);
  }
});
