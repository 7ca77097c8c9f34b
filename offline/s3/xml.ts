/** The few XML shapes S3 answers with, built as strings: S3's XML is flat and small. */
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[entity] ?? '';
  });
}

/** One element; undefined values are left out, as S3 omits absent fields. */
export function el(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function document(root: string, inner: string): string {
  return `${DECLARATION}<${root} xmlns="${S3_XMLNS}">${inner}</${root}>`;
}

export interface S3ErrorBody {
  code: string;
  message: string;
  requestId: string;
  /** Extra fields S3 adds for some codes: Key, BucketName, ... */
  extra?: Record<string, string>;
}

export function errorDocument(error: S3ErrorBody): string {
  const extra = Object.entries(error.extra ?? {})
    .map(([name, value]) => el(name, value))
    .join('');
  return `${DECLARATION}<Error>${el('Code', error.code)}${el('Message', error.message)}${extra}${el('RequestId', error.requestId)}${el('HostId', error.requestId)}</Error>`;
}

/** The keys of a DeleteObjects request body, and whether it asked for a quiet answer. */
export function parseDeleteRequest(body: string): { keys: string[]; quiet: boolean } {
  const keys: string[] = [];
  for (const match of body.matchAll(/<Object>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Object>/g)) {
    keys.push(unescapeXml(match[1] ?? ''));
  }
  return { keys, quiet: /<Quiet>\s*true\s*<\/Quiet>/i.test(body) };
}
