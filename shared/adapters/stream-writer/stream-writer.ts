/** The port through which the domain writes to a stream; the Kinesis adapter implements it. */
export interface StreamEntry {
  partitionKey: string;
  data: Uint8Array;
}

export type EntryOutcome =
  | { ok: true; shardId?: string; sequenceNumber?: string }
  | { ok: false; errorCode: string; errorMessage: string };

export interface StreamWriter {
  /**
   * One PutRecords call: answers one outcome per entry, in order. Throws when the whole
   * call failed (network, throttling of the call, missing stream).
   */
  putRecords(entries: readonly StreamEntry[]): Promise<EntryOutcome[]>;
}

/** An error of a whole call, with the AWS error name when there is one. */
export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name || 'Error';
  return 'UnknownError';
}
