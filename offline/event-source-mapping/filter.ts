/**
 * A useful subset of Lambda's event filtering syntax (the EventBridge pattern language),
 * applied to a Kinesis record before it is batched. A record that matches no filter is
 * dropped: it is checkpointed past and never reaches the function, as on AWS.
 *
 * Supported, on the record's `data` (parsed as JSON) and on the top-level metadata fields
 * (partitionKey, sequenceNumber, kinesisSchemaVersion, approximateArrivalTimestamp):
 * - exact values: `"x"`, `5`, `true`, `null` (an array of them means any of them)
 * - `{"prefix": "ab"}`, `{"suffix": ".png"}`, `{"equals-ignore-case": "Ab"}`
 * - `{"anything-but": value | [values] | {"prefix": "ab"}}`
 * - `{"exists": true | false}`
 * - `{"numeric": [">", 0, "<=", 5]}` (operators =, <, <=, >, >=)
 * Nested objects match nested fields; an array field matches when any element matches.
 * Filters are ORed; the keys of one pattern are ANDed. A pattern on `data` drops a record
 * whose data is not JSON. Note: AWS's current docs say Kinesis mappings filter on `data`
 * only; metadata keys are accepted here for patterns written to the older docs.
 */
export type RecordMatcher = (record: FilterableRecord) => boolean;

export interface FilterableRecord {
  data: unknown; // the parsed JSON, or undefined when the data is not JSON
  partitionKey: string;
  sequenceNumber: string;
  kinesisSchemaVersion: string;
  approximateArrivalTimestamp: number;
}

type ValueTest = (value: unknown, present: boolean) => boolean;
type Shape = (target: unknown) => boolean;

/** Compiles FilterCriteria into one predicate; throws a message naming the bad rule. */
export function compileFilters(patterns: readonly string[]): RecordMatcher {
  const shapes = patterns.map((pattern) => compileObject(JSON.parse(pattern) as unknown, '$'));
  return (record) => shapes.length === 0 || shapes.some((shape) => shape(record));
}

function compileObject(pattern: unknown, path: string): Shape {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) {
    throw new Error(`filter pattern at ${path} must be an object`);
  }
  const tests = Object.entries(pattern).map(([key, rule]): Shape => {
    const where = `${path}.${key}`;
    if (Array.isArray(rule)) {
      const anyOf = rule.map((item) => compileValueRule(item, where));
      return (target) => {
        const present = isObject(target) && Object.hasOwn(target, key);
        const value = present ? target[key] : undefined;
        return anyOf.some((test) => matchesValue(test, value, present));
      };
    }
    const nested = compileObject(rule, where);
    return (target) => isObject(target) && isObject(target[key]) && nested(target[key]);
  });
  return (target) => tests.every((test) => test(target));
}

/** An array field matches when any element does (EventBridge semantics). */
function matchesValue(test: ValueTest, value: unknown, present: boolean): boolean {
  if (Array.isArray(value)) return value.some((item) => test(item, true));
  return test(value, present);
}

function compileValueRule(rule: unknown, where: string): ValueTest {
  if (rule === null || ['string', 'number', 'boolean'].includes(typeof rule)) {
    return (value, present) => present && value === rule;
  }
  if (!isObject(rule)) throw new Error(`filter rule at ${where} must be a value or an operator`);
  const [operator, ...extra] = Object.keys(rule);
  if (operator === undefined || extra.length > 0) {
    throw new Error(`filter rule at ${where} must hold exactly one operator`);
  }
  const operand = rule[operator];
  switch (operator) {
    case 'prefix':
      return textTest(operand, where, operator, (value, text) => value.startsWith(text));
    case 'suffix':
      return textTest(operand, where, operator, (value, text) => value.endsWith(text));
    case 'equals-ignore-case':
      return textTest(
        operand,
        where,
        operator,
        (value, text) => value.toLowerCase() === text.toLowerCase(),
      );
    case 'exists':
      if (typeof operand !== 'boolean') throw new Error(`"exists" at ${where} takes true or false`);
      return (_value, present) => present === operand;
    case 'anything-but':
      return anythingBut(operand, where);
    case 'numeric':
      return numeric(operand, where);
    default:
      throw new Error(`filter operator "${operator}" at ${where} is not supported locally`);
  }
}

function textTest(
  operand: unknown,
  where: string,
  operator: string,
  test: (value: string, text: string) => boolean,
): ValueTest {
  if (typeof operand !== 'string') throw new Error(`"${operator}" at ${where} takes a string`);
  return (value, present) => present && typeof value === 'string' && test(value, operand);
}

function anythingBut(operand: unknown, where: string): ValueTest {
  if (isObject(operand)) {
    const inner = compileValueRule(operand, where);
    return (value, present) => present && !inner(value, present);
  }
  const excluded = Array.isArray(operand) ? operand : [operand];
  return (value, present) => present && !excluded.includes(value);
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function numeric(operand: unknown, where: string): ValueTest {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new Error(`"numeric" at ${where} takes [operator, number, ...]`);
  }
  const checks: Array<(value: number) => boolean> = [];
  for (let i = 0; i < operand.length; i += 2) {
    const op = operand[i];
    const bound = operand[i + 1];
    const compare = typeof op === 'string' ? COMPARE[op] : undefined;
    if (!compare || typeof bound !== 'number') {
      throw new Error(`"numeric" at ${where} has a bad comparison ${JSON.stringify([op, bound])}`);
    }
    checks.push((value) => compare(value, bound));
  }
  return (value, present) =>
    present && typeof value === 'number' && checks.every((check) => check(value));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
