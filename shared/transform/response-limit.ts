import {
  MAX_RESPONSE_BYTES,
  type FirehoseOutputRecord,
  type FirehoseTransformationResponse,
} from './firehose.ts';

/**
 * Keeps the response under Lambda's 6 MB cap without ever dropping a recordId. Flattening
 * and enrichment make rows bigger than the events they come from, so a full request can
 * produce a response that Lambda would refuse, failing the whole batch.
 *
 * Each record has up to three answers, best first: what the transform decided; the record
 * failed with its original data (so Firehose's processing-failed/ output can replay it);
 * failed with empty data (Firehose writes the original raw data to the error output itself).
 * The smallest answers are reserved for every record first, so all records are always
 * answered; then, in input order, each takes the best answer that still fits.
 */
export interface Candidate {
  preferred: FirehoseOutputRecord;
  /** Why the record failed, when it could not keep its preferred answer. */
  overflowReason: string;
  originalData: string;
}

export interface FittedResponse {
  response: FirehoseTransformationResponse;
  /** recordIds whose preferred answer did not fit. */
  overflowed: { recordId: string; reason: string }[];
}

const ENVELOPE_BYTES = Buffer.byteLength('{"records":[]}');

export function recordBytes(record: FirehoseOutputRecord): number {
  return Buffer.byteLength(JSON.stringify(record), 'utf8');
}

export function fitResponse(
  candidates: readonly Candidate[],
  limit: number = MAX_RESPONSE_BYTES,
): FittedResponse {
  const failed = (recordId: string, data: string): FirehoseOutputRecord => ({
    recordId,
    result: 'ProcessingFailed',
    data,
  });
  const minimalSizes = candidates.map((c) => recordBytes(failed(c.preferred.recordId, '')));
  const commas = Math.max(0, candidates.length - 1);
  let spare = limit - ENVELOPE_BYTES - commas - minimalSizes.reduce((a, b) => a + b, 0);

  const records: FirehoseOutputRecord[] = [];
  const overflowed: FittedResponse['overflowed'] = [];
  candidates.forEach((candidate, i) => {
    const { preferred } = candidate;
    const floor = minimalSizes[i] ?? 0;
    const options = [preferred, failed(preferred.recordId, candidate.originalData)];
    const chosen =
      options.find((option) => {
        const extra = recordBytes(option) - floor;
        if (extra > spare) return false;
        spare -= extra;
        return true;
      }) ?? failed(preferred.recordId, '');
    records.push(chosen);
    // A record that was failing anyway keeps its own reason; only a changed result is news.
    if (preferred.result !== 'ProcessingFailed' && chosen.result === 'ProcessingFailed') {
      overflowed.push({ recordId: preferred.recordId, reason: candidate.overflowReason });
    }
  });
  return { response: { records }, overflowed };
}
