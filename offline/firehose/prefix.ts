import { randomBytes, randomUUID } from 'node:crypto';

/**
 * S3 object names as Firehose writes them: `<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>[.gz]`
 * (https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html). Prefix expressions
 * (https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html): !{timestamp:<Java
 * DateTimeFormatter pattern>} from the approximate arrival time of the oldest record in the
 * object, UTC; !{firehose:error-output-type}; !{firehose:random-string};
 * !{partitionKeyFromLambda:<key>}. A prefix without expressions gets the default time folder
 * `YYYY/MM/dd/HH/` appended, and an error prefix without expressions
 * `<error-output-type>/YYYY/MM/dd/HH/` (Firehose's behaviour before custom prefixes, kept for them).
 */
const EXPRESSION = /!\{([A-Za-z]+):([^}]*)\}/g;
const DEFAULT_TIME = '!{timestamp:yyyy/MM/dd/HH}/';

export class MissingPartitionKeyError extends Error {
  constructor(readonly key: string) {
    super(`partition key ${JSON.stringify(key)} was not returned in metadata.partitionKeys`);
    this.name = 'MissingPartitionKeyError';
  }
}

export interface PrefixContext {
  /** ms since the epoch: the oldest record's arrival. */
  timestamp: number;
  errorOutputType?: string;
  partitionKeys?: Record<string, string>;
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');

/** The subset of Java's DateTimeFormatter that prefixes use: y M d H m s, and 'quoted' text. */
export function formatTimestamp(pattern: string, ms: number): string {
  const date = new Date(ms);
  const fields: Record<string, (width: number) => string> = {
    y: (w) => (w === 2 ? pad(date.getUTCFullYear() % 100, 2) : pad(date.getUTCFullYear(), w)),
    M: (w) => pad(date.getUTCMonth() + 1, w),
    d: (w) => pad(date.getUTCDate(), w),
    H: (w) => pad(date.getUTCHours(), w),
    m: (w) => pad(date.getUTCMinutes(), w),
    s: (w) => pad(date.getUTCSeconds(), w),
  };
  let out = '';
  for (const token of pattern.match(/'[^']*'|([A-Za-z])\1*|[^A-Za-z']+/g) ?? []) {
    if (token.startsWith("'")) out += token.length === 2 ? "'" : token.slice(1, -1);
    else if (/^[A-Za-z]/.test(token)) {
      const field = fields[token[0] ?? ''];
      if (!field)
        throw new Error(`unsupported timestamp pattern letter ${JSON.stringify(token[0])}`);
      out += field(token.length);
    } else out += token;
  }
  return out;
}

/** Problems with a prefix template, found before any record arrives. */
export function checkPrefix(template: string): string[] {
  const problems: string[] = [];
  for (const [, namespace = '', value = ''] of template.matchAll(EXPRESSION)) {
    if (namespace === 'timestamp') {
      try {
        formatTimestamp(value, 0);
      } catch (error) {
        problems.push(`!{timestamp:${value}}: ${(error as Error).message}`);
      }
    } else if (namespace === 'firehose') {
      if (value !== 'error-output-type' && value !== 'random-string')
        problems.push(`!{firehose:${value}} is not a Firehose expression`);
    } else if (namespace === 'partitionKeyFromQuery') {
      problems.push(
        'partitionKeyFromQuery (jq extraction) is not supported locally; return the keys from the Lambda',
      );
    } else if (namespace !== 'partitionKeyFromLambda')
      problems.push(`unknown namespace ${namespace}`);
  }
  if (template.replace(EXPRESSION, '').includes('!{')) problems.push('unterminated !{ expression');
  return problems;
}

export function evaluatePrefix(template: string, ctx: PrefixContext): string {
  return template.replace(EXPRESSION, (_, namespace: string, value: string) => {
    if (namespace === 'timestamp') return formatTimestamp(value, ctx.timestamp);
    if (namespace === 'firehose')
      return value === 'random-string'
        ? randomBytes(8).toString('base64url').slice(0, 11)
        : (ctx.errorOutputType ?? '');
    const key = ctx.partitionKeys?.[value];
    if (key === undefined) throw new MissingPartitionKeyError(value);
    return key;
  });
}

export function outputPrefix(configured: string): string {
  return configured.includes('!{') ? configured : configured + DEFAULT_TIME;
}

export function errorPrefix(configured: string): string {
  return configured.includes('!{')
    ? configured
    : `${configured}!{firehose:error-output-type}/${DEFAULT_TIME}`;
}

/** The partition keys a prefix uses, in order: records are grouped into objects by their values. */
export function partitionKeyNames(template: string): string[] {
  return [...template.matchAll(EXPRESSION)]
    .filter((m) => m[1] === 'partitionKeyFromLambda')
    .map((m) => m[2] ?? '');
}

/** `extension` is the configured FileExtension, when there is one: it replaces the default. */
export function objectName(
  stream: string,
  version: number,
  timestamp: number,
  compressed: boolean,
  extension?: string,
): string {
  const suffix = extension ?? (compressed ? '.gz' : '');
  return `${stream}-${version}-${formatTimestamp('yyyy-MM-dd-HH-mm-ss', timestamp)}-${randomUUID()}${suffix}`;
}
