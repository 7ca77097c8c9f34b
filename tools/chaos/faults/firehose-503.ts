import type { ChaosFault } from '../fault.ts';
import { countSince, numberSince, sleep } from './wait.ts';

/**
 * The local Firehose answers ServiceUnavailableException (HTTP 503, the whole call refused)
 * to a share of PutRecordBatch calls: the aggregate's final window invocations retry them
 * with backoff inside METRICS_RETRY_BUDGET_MS, so every window's rows still arrive once.
 */
export function firehoseUnavailableFault(
  options: { rate?: number; durationMs?: number } = {},
): ChaosFault {
  const rate = options.rate ?? 0.3;
  const durationMs = options.durationMs ?? 25_000;
  return {
    name: 'firehose-503',
    description: `Firehose refuses ${rate * 100} % of PutRecordBatch calls (503) for ${durationMs / 1000} s`,
    async run({ stack, log }) {
      const startedAt = new Date();
      const from = stack.output().length;
      let refused = 0;
      let calls = 0;
      // PutRecordBatch calls come when a window closes (every 10 s per shard): the fault stays
      // on for another period until it has refused at least one, so it is never a no-op.
      for (let period = 0; period < 4 && refused === 0; period += 1) {
        const mark = stack.output().length;
        stack.faults.set({ firehoseUnavailableRate: rate, reason: 'chaos: firehose-503' });
        await stack.faults.applied(/faults: Firehose answers ServiceUnavailableException/);
        log(
          `firehose-503: ${rate * 100} % of PutRecordBatch calls refused for ${durationMs / 1000} s`,
        );
        await sleep(durationMs);
        stack.faults.set({ firehoseUnavailableRate: undefined, reason: undefined });
        await stack.faults.applied(/faults: Firehose unavailability off/);
        const output = stack.output();
        refused += numberSince(output, mark, /unavailability off: (\d+) of \d+ PutRecordBatch/);
        calls += numberSince(output, mark, /unavailability off: \d+ of (\d+) PutRecordBatch/);
      }
      const output = stack.output();
      const gaveUp = countSince(output, from, /MetricsDeliveryError|gave up on a final window/);
      return {
        fault: 'firehose-503',
        startedAt,
        durationMs: Date.now() - startedAt.getTime(),
        didWhat: `${refused} of ${calls} PutRecordBatch calls refused; the aggregate retried within its budget (${gaveUp} invocations gave up)`,
      };
    },
  };
}
