/**
 * Reading a generated CloudFormation template the way CloudFormation would: conditions
 * evaluated, Fn::If branches chosen, AWS::NoValue dropped, references followed.
 */
export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface Template {
  Resources: Record<string, Resource>;
  Conditions?: Record<string, unknown>;
  Outputs?: Record<string, { Value: unknown; Condition?: string }>;
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: unknown;
  Condition?: Record<string, unknown>;
  Principal?: unknown;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function ofType(template: Template, type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** The one resource of a type; fails when there is none or more than one. */
export function onlyOfType(template: Template, type: string): [string, Resource] {
  const found = ofType(template, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0] as [string, Resource];
}

export function resource(template: Template, logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId} in the template`);
  return found;
}

/** A value at a dotted path (numbers index arrays), or undefined. */
export function at(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (Array.isArray(current)) current = current[Number(part)];
    else if (isObject(current)) current = current[part];
    else return undefined;
  }
  return current;
}

function evaluateConditionValue(template: Template, value: unknown): boolean {
  if (!isObject(value)) throw new Error(`not a condition: ${JSON.stringify(value)}`);
  const [[fn, arg]] = Object.entries(value) as [[string, unknown]];
  const args = Array.isArray(arg) ? arg : [arg];
  switch (fn) {
    case 'Condition':
      return conditionHolds(template, String(arg));
    case 'Fn::Equals': {
      const [a, b] = args.map((x) => evaluate(template, x));
      if (typeof a !== 'string' && typeof a !== 'number')
        throw new Error('Equals on a non-literal');
      return String(a) === String(b);
    }
    case 'Fn::Not':
      return !evaluateConditionValue(template, args[0]);
    case 'Fn::And':
      return args.every((x) => evaluateConditionValue(template, x));
    case 'Fn::Or':
      return args.some((x) => evaluateConditionValue(template, x));
    default:
      throw new Error(`unsupported condition function ${fn}`);
  }
}

export function conditionHolds(template: Template, name: string): boolean {
  const condition = template.Conditions?.[name];
  if (condition === undefined) throw new Error(`no condition ${name} in the template`);
  return evaluateConditionValue(template, condition);
}

const NO_VALUE = Symbol('AWS::NoValue');

function evaluateInner(template: Template, value: unknown): unknown {
  if (Array.isArray(value))
    return value.map((item) => evaluateInner(template, item)).filter((item) => item !== NO_VALUE);
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'Ref' && value.Ref === 'AWS::NoValue') return NO_VALUE;
  if (keys.length === 1 && keys[0] === 'Fn::If') {
    const [name, whenTrue, whenFalse] = value['Fn::If'] as [string, unknown, unknown];
    return evaluateInner(template, conditionHolds(template, name) ? whenTrue : whenFalse);
  }
  const out: Json = {};
  for (const key of keys) {
    const inner = evaluateInner(template, value[key]);
    if (inner !== NO_VALUE) out[key] = inner;
  }
  return out;
}

/** The value with every Fn::If decided and every AWS::NoValue removed. */
export function evaluate(template: Template, value: unknown): unknown {
  const result = evaluateInner(template, value);
  return result === NO_VALUE ? undefined : result;
}

/** The logical ids a value refers to through Ref, Fn::GetAtt or Fn::Sub. */
export function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => referencedIds(item, into));
  if (!isObject(value)) return into;
  for (const [key, inner] of Object.entries(value)) {
    if (key === 'Ref' && typeof inner === 'string' && !inner.startsWith('AWS::')) into.add(inner);
    else if (key === 'Fn::GetAtt')
      into.add(String(Array.isArray(inner) ? inner[0] : String(inner).split('.')[0]));
    else if (key === 'Fn::Sub') {
      const text = Array.isArray(inner) ? String(inner[0]) : String(inner);
      for (const match of text.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/g))
        if (match[1]) into.add(match[1]);
      if (Array.isArray(inner)) referencedIds(inner[1], into);
    } else referencedIds(inner, into);
  }
  return into;
}

/** True when CloudFormation must create `to` before `from` (DependsOn or a reference). */
export function createdBefore(template: Template, to: string, from: string): boolean {
  const seen = new Set<string>();
  const pending = [from];
  while (pending.length > 0) {
    const id = pending.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const r = template.Resources[id];
    if (!r) continue;
    const dependsOn = r.DependsOn === undefined ? [] : [r.DependsOn].flat();
    for (const next of [...dependsOn, ...referencedIds(r.Properties)]) {
      if (next === to) return true;
      pending.push(next);
    }
  }
  return false;
}

export const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The statements of a role's inline policies, with conditions decided. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  const role = resource(template, roleId);
  const policies = list(evaluate(template, role.Properties?.Policies) as Json[] | undefined);
  return policies.flatMap((policy) => list(at(policy, 'PolicyDocument.Statement') as Statement[]));
}

/** Every identity and resource policy statement in the template, with where it is. */
export function allStatements(template: Template): Array<{ where: string; statement: Statement }> {
  const found: Array<{ where: string; statement: Statement }> = [];
  const documents: Array<[string, unknown]> = [];
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::IAM::Role') {
      for (const s of roleStatements(template, id)) found.push({ where: id, statement: s });
      documents.push([`${id} trust`, r.Properties?.AssumeRolePolicyDocument]);
    }
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
      documents.push([id, r.Properties?.PolicyDocument]);
    if (r.Type === 'AWS::S3::BucketPolicy' || r.Type === 'AWS::SQS::QueuePolicy')
      documents.push([id, r.Properties?.PolicyDocument]);
    if (r.Type === 'AWS::KMS::Key') documents.push([id, r.Properties?.KeyPolicy]);
  }
  for (const [where, document] of documents)
    for (const statement of list(at(evaluate(template, document), 'Statement') as Statement[]))
      found.push({ where, statement });
  return found;
}
