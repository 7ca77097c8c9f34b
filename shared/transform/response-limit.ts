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
  /**
   * Both `preferred.data` and `originalData` are base64 text, which JSON writes as it is:
   * their sizes are then their lengths, not measured by serialising the record again.
   */
  base64?: boolean;
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

// {"recordId":<id>,"result":"<result>","data":"<data>"} with the id, result and data empty.
const SKELETON_BYTES = recordBytes({ recordId: '', result: 'Ok', data: '' }) - 2 - 'Ok'.length;
const METADATA_KEY_BYTES = Buffer.byteLength(',"metadata":');

/** The JSON size of a recordId: the id, quoted and escaped. */
function idBytes(recordId: string): number {
  return Buffer.byteLength(JSON.stringify(recordId), 'utf8');
}

/**
 * recordBytes of `record` whose data is base64 (which JSON writes unescaped, one byte a
 * character), counted without serialising the record again.
 */
function base64RecordBytes(record: FirehoseOutputRecord, recordIdBytes: number): number {
  let size = SKELETON_BYTES + recordIdBytes + record.result.length + record.data.length;
  if (record.metadata !== undefined) {
    size += METADATA_KEY_BYTES + Buffer.byteLength(JSON.stringify(record.metadata), 'utf8');
  }
  return size;
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
  const idSizes = candidates.map((c) => idBytes(c.preferred.recordId));
  const minimalSizes = idSizes.map((id) => SKELETON_BYTES + 'ProcessingFailed'.length + id);
  const commas = Math.max(0, candidates.length - 1);
  let spare = limit - ENVELOPE_BYTES - commas;
  for (const size of minimalSizes) spare -= size;

  const records: FirehoseOutputRecord[] = [];
  const overflowed: FittedResponse['overflowed'] = [];
  candidates.forEach((candidate, i) => {
    const { preferred, originalData } = candidate;
    const floor = minimalSizes[i] ?? 0;
    let chosen: FirehoseOutputRecord;
    const preferredExtra =
      (candidate.base64 === true
        ? base64RecordBytes(preferred, idSizes[i] ?? 0)
        : recordBytes(preferred)) - floor;
    if (preferredExtra <= spare) {
      spare -= preferredExtra;
      chosen = preferred;
    } else {
      const original = failed(preferred.recordId, originalData);
      // The minimal answer with the data added: the same record but for the data's JSON.
      const originalExtra =
        candidate.base64 === true ? originalData.length : recordBytes(original) - floor;
      if (originalExtra <= spare) {
        spare -= originalExtra;
        chosen = original;
      } else chosen = failed(preferred.recordId, '');
    }
    records.push(chosen);
    // A record that was failing anyway keeps its own reason; only a changed result is news.
    if (preferred.result !== 'ProcessingFailed' && chosen.result === 'ProcessingFailed') {
      overflowed.push({ recordId: preferred.recordId, reason: candidate.overflowReason });
    }
  });
  return { response: { records }, overflowed };
}
