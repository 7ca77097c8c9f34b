import type { z } from 'zod';

/**
 * Turns zod issues into sentences a person can act on:
 * "properties.price must be a number (got string)", never "invalid".
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.map((issue) => describeIssue(issue, prefix));
}

function describeIssue(issue: z.core.$ZodIssue, prefix: string): string {
  const where = formatPath(prefix, issue.path) || 'the event';
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `${where} is required`;
      return `${where} must be ${withArticle(typeName(issue.expected))} (got ${describeValue(input)})`;
    case 'too_big':
      return `${where} must be ${boundText('at most', issue.origin, issue.maximum)}`;
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return `${where} must not be empty`;
      if (issue.origin === 'number' && issue.minimum === 0) return `${where} must be 0 or more`;
      return `${where} must be ${boundText('at least', issue.origin, issue.minimum)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `${where} must be ${JSON.stringify(issue.values[0])}`
        : `${where} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      // A missing id field fails every branch of its string-or-number union.
      if (input === undefined) return `${where} is required`;
      return `${where} must be ${unionExpectation(issue)} (got ${describeValue(input)})`;
    case 'invalid_format':
    case 'custom':
      return `${where} ${issue.message}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function typeName(expected: string): string {
  if (expected === 'int') return 'integer';
  return expected;
}

function withArticle(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function boundText(relation: string, origin: string, bound: number | bigint): string {
  const n = Number(bound);
  if (origin === 'string') return `${relation} ${n} characters long`;
  if (origin === 'array') return `${relation} ${n} items long`;
  return `${relation} ${n}`;
}

function unionExpectation(issue: z.core.$ZodIssueInvalidUnion): string {
  const expected = new Set<string>();
  for (const branch of issue.errors) {
    for (const inner of branch) {
      if (inner.code === 'invalid_type') expected.add(withArticle(typeName(inner.expected)));
    }
  }
  return expected.size > 0 ? [...expected].join(' or ') : 'a valid value';
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return value.length > 40 ? 'a long string' : `string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `number ${value}`;
  return typeof value;
}
