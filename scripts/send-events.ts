/**
 * Sends an NDJSON file of Segment events to the running API in /v1/batch requests:
 *   npm run send -- events/shopping-session.ndjson [--url http://localhost:3000] [--write-key K] [--times N]
 * Each pass gets fresh messageIds and timestamps moved to now, so it counts as new traffic.
 * Honours 503 + Retry-After by resending only what was not written.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: process.env.API_URL ?? 'http://localhost:3000' },
    'write-key': { type: 'string', default: process.env.WRITE_KEY ?? 'local-write-key' },
    times: { type: 'string', default: '1' },
    'batch-size': { type: 'string', default: '100' },
  },
});

const file = positionals[0];
if (!file) {
  process.stderr.write(
    'usage: npm run send -- FILE.ndjson [--url URL] [--write-key KEY] [--times N]\n',
  );
  process.exit(2);
}

const lines = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');
const template = lines.map((line, i) => {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    process.stderr.write(`${file}:${i + 1} is not JSON; fix or remove that line\n`);
    process.exit(2);
  }
});
const times = Number(values.times);
const batchSize = Number(values['batch-size']);
const auth = `Basic ${Buffer.from(`${values['write-key']}:`).toString('base64')}`;

function freshPass(): Record<string, unknown>[] {
  const first = Date.parse(String(template[0]?.timestamp ?? new Date().toISOString()));
  const shift = Date.now() - (Number.isNaN(first) ? Date.now() : first);
  const session = randomUUID();
  return template.map((event) => {
    const at = Date.parse(String(event.timestamp));
    return {
      ...event,
      messageId: randomUUID(),
      anonymousId: `${String(event.anonymousId ?? 'anon')}-${session.slice(0, 8)}`,
      timestamp: new Date(Number.isNaN(at) ? Date.now() : at + shift).toISOString(),
      sentAt: new Date().toISOString(),
    };
  });
}

async function post(batch: Record<string, unknown>[]): Promise<{ rejected: number }> {
  let pending = batch;
  for (let attempt = 1; attempt <= 8; attempt += 1) {
    let response: Response;
    try {
      response = await fetch(`${values.url}/v1/batch`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ batch: pending }),
      });
    } catch (error) {
      throw new Error(`cannot reach ${values.url}: is \`npm start\` running? (${String(error)})`);
    }
    const answer = (await response.json()) as {
      rejected?: unknown[];
      notWritten?: Array<{ messageId: string }>;
      error?: string;
    };
    if (response.status === 200) return { rejected: answer.rejected?.length ?? 0 };
    if (response.status !== 503)
      throw new Error(`HTTP ${response.status}: ${answer.error ?? 'no reason given'}`);
    const retry = new Set((answer.notWritten ?? []).map((n) => n.messageId));
    pending = pending.filter((event) => retry.has(String(event.messageId)));
    await new Promise((r) =>
      setTimeout(r, Number(response.headers.get('retry-after') ?? 1) * 1000),
    );
  }
  throw new Error(`${pending.length} events still not written after 8 attempts`);
}

async function main(): Promise<void> {
  let sent = 0;
  let rejected = 0;
  const started = Date.now();
  for (let pass = 0; pass < times; pass += 1) {
    const events = freshPass();
    for (let i = 0; i < events.length; i += batchSize) {
      const result = await post(events.slice(i, i + batchSize));
      sent += Math.min(batchSize, events.length - i);
      rejected += result.rejected;
    }
    process.stdout.write(`\rsent ${sent} events (${rejected} rejected), pass ${pass + 1}/${times}`);
  }
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`\ndone: ${sent} events in ${seconds.toFixed(1)} s to ${values.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
