import {
  MAX_RESPONSE_BYTES,
  type FirehoseOutputRecord,
  type FirehoseTransformationResponse,
} from './firehose-transformation.ts';

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

/** Printable ASCII but " and \ : JSON writes it as it is, one byte a character. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** The JSON size of a string: quoted, and escaped where it has to be. */
function stringBytes(value: string): number {
  return PLAIN_ASCII.test(value) ? value.length + 2 : Buffer.byteLength(JSON.stringify(value));
}

/** The JSON size of a recordId: the id, quoted and escaped. */
function idBytes(recordId: string): number {
  return stringBytes(recordId);
}

/**
 * The JSON size of the metadata the transform writes, {"partitionKeys":{...}} of strings,
 * summed from its keys and values; any other metadata is serialised to be measured.
 */
function metadataBytes(metadata: NonNullable<FirehoseOutputRecord['metadata']>): number {
  const keys = Object.keys(metadata);
  if (keys.length !== 1 || keys[0] !== 'partitionKeys') {
    return Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  }
  const partitionKeys: unknown = metadata.partitionKeys;
  if (typeof partitionKeys !== 'object' || partitionKeys === null || Array.isArray(partitionKeys))
    return Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  // {"partitionKeys":{}}, then "key":"value" per key and the commas between them.
  let size = 20;
  let first = true;
  for (const [key, value] of Object.entries(partitionKeys)) {
    if (typeof value !== 'string') return Buffer.byteLength(JSON.stringify(metadata), 'utf8');
    size += stringBytes(key) + 1 + stringBytes(value) + (first ? 0 : 1);
    first = false;
  }
  return size;
}

/**
 * recordBytes of `record` whose data is base64 (which JSON writes unescaped, one byte a
 * character), counted without serialising the record again.
 */
function base64RecordBytes(record: FirehoseOutputRecord, recordIdBytes: number): number {
  let size = SKELETON_BYTES + recordIdBytes + record.result.length + record.data.length;
  if (record.metadata !== undefined) {
    size += METADATA_KEY_BYTES + metadataBytes(record.metadata);
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
