/**
 * Money columns are written as decimal strings, never as JSON numbers, so that no reader
 * (Redshift COPY, PostgreSQL numeric, a person) ever sees a binary float.
 *
 * JSON.parse turns "19.99" into the nearest double, and Number#toString prints the
 * shortest decimal that reads back as that same double (ECMA-262 Number::toString). For any
 * amount written with up to 15 significant digits, that is exactly the text the client
 * sent: 19.99 -> "19.99", 0.3 -> "0.3". We only expand exponent notation (1e-7, 1e21),
 * which no NUMERIC column accepts. No arithmetic is done on amounts here, because that is
 * where artefacts such as 0.1 + 0.2 = 0.30000000000000004 are born.
 */
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

export function decimalString(value: number): string | null {
  if (!Number.isFinite(value)) return null;
  if (Object.is(value, -0)) return '0';
  const text = String(value);
  return text.includes('e') ? expandExponent(text) : text;
}

/**
 * An amount column from a property: numbers as above; a string already in plain decimal
 * notation is kept as it is (custom events may send "9.99"); anything else is null.
 */
export function amountColumn(value: unknown): string | null {
  if (typeof value === 'number') return decimalString(value);
  if (typeof value === 'string' && PLAIN_DECIMAL.test(value)) return value;
  return null;
}

function expandExponent(text: string): string {
  const negative = text.startsWith('-');
  const [mantissa = '', exponentText = '0'] = (negative ? text.slice(1) : text).split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  // Position of the decimal point within `digits` once the exponent is applied.
  const point = whole.length + Number(exponentText);
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}
