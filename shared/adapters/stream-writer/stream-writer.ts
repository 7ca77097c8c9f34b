/** The port through which the domain writes to a stream; the Kinesis adapter implements it. */
export interface StreamEntry {
  partitionKey: string;
  data: Uint8Array;
}

export type EntryOutcome =
  | { ok: true; shardId?: string; sequenceNumber?: string }
  | { ok: false; errorCode: string; errorMessage: string };

/** Bounds of one call: the caller's remaining retry budget, so no call outlives it. */
export interface CallBounds {
  timeoutMs: number;
}

export interface StreamWriter {
  /**
   * One PutRecords call: answers one outcome per entry, in order. Throws when the whole
   * call failed (network, throttling of the call, missing stream), and with a TimeoutError
   * when no answer came within `bounds.timeoutMs`.
   */
  putRecords(entries: readonly StreamEntry[], bounds?: CallBounds): Promise<EntryOutcome[]>;
}

/** An error of a whole call, with the AWS error name when there is one. */
export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name || 'Error';
  return 'UnknownError';
}
