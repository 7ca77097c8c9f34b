import type { ChaosFault } from '../fault.ts';
import { numberSince, sleep } from './wait.ts';

/**
 * Kinesis refuses a share of PutRecords entries (ProvisionedThroughputExceededException in a
 * 200 answer, as an over-limit shard does) for a while: the ingest retries only the refused
 * entries within its budget, and answers 503 with `notWritten` for what is left, which the
 * client resends. Nothing acknowledged may be missing, nothing may be doubled.
 */
export function throttleFault(options: { rate?: number; durationMs?: number } = {}): ChaosFault {
  const rate = options.rate ?? 0.3;
  const durationMs = options.durationMs ?? 20_000;
  return {
    name: 'throttle',
    description: `Kinesis refuses ${rate * 100} % of PutRecords entries for ${durationMs / 1000} s`,
    async run({ stack, log }) {
      const startedAt = new Date();
      const from = stack.output().length;
      stack.faults.set({ kinesisThrottleRate: rate, reason: 'chaos: throttle' });
      await stack.faults.applied(/faults: Kinesis throttle [\d.]+ of PutRecords entries/);
      log(`throttle: ${rate * 100} % of PutRecords entries refused for ${durationMs / 1000} s`);
      await sleep(durationMs);
      stack.faults.set({ kinesisThrottleRate: undefined, reason: undefined });
      await stack.faults.applied(/faults: Kinesis throttle [\d.]+ off/);
      const output = stack.output();
      const refused = numberSince(
        output,
        from,
        /throttle [\d.]+ off: (\d+) PutRecords entries refused/,
      );
      const written = numberSince(output, from, /entries refused \([^)]*\), (\d+) written/);
      return {
        fault: 'throttle',
        startedAt,
        durationMs: Date.now() - startedAt.getTime(),
        didWhat: `${refused} of ${refused + written} PutRecords entries refused; the ingest retried them with backoff (then 503 + notWritten, resent by the client)`,
      };
    },
  };
}
