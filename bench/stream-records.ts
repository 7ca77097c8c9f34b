/**
 * Stream records as the pipeline after the ingest API sees them: fixture messages validated
 * and normalised by the ingest's own validateMessage, then base64 of their JSON, as Kinesis
 * hands them to consumers (the aggregate's event source mapping, Firehose's transformation).
 */
import type { ClickstreamEvent } from '#shared/event-contract/clickstream-event';
import { validateMessage } from '#shared/event-contract/validate';
import { generateEvents } from './fixtures.ts';

/** What the API adds after the client's timestamp: SDK flush interval and the network. */
const RECEIPT_DELAY_MS = 1_500;

/** `count` messages from `generateEvents(seed, count)`, as the ingest writes them to the stream. */
export function normalisedEvents(seed: number, count: number): ClickstreamEvent[] {
  return generateEvents(seed, count).map((message, i) => {
    const receivedAtMs = Date.parse(message.timestamp) + RECEIPT_DELAY_MS;
    const outcome = validateMessage(
      message,
      { receivedAtMs, sourceIp: message.context.ip },
      () => `bench-${seed}-${i}`,
    );
    if (!outcome.ok) {
      throw new Error(
        `fixture message ${outcome.messageId} rejected: ${outcome.reasons.join('; ')}`,
      );
    }
    return outcome.event;
  });
}

/** The record's data as Kinesis delivers it to Lambda and Firehose: base64 of the JSON. */
export function base64Record(event: ClickstreamEvent): string {
  return Buffer.from(JSON.stringify(event), 'utf8').toString('base64');
}

const SEQUENCE_BASE = 49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898n;

/** Kinesis-shaped sequence numbers: 56 digits, increasing along the shard. */
export function sequenceNumber(index: number): string {
  return String(SEQUENCE_BASE + BigInt(index));
}

/** Milliseconds since the epoch when the record reached the stream: just after receipt. */
export function arrivalMs(event: ClickstreamEvent): number {
  return Date.parse(event.receivedAt) + 40;
}
