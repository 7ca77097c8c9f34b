import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Checks a CloudFormation template against the resource specification shipped by
 * @aws-cdk/cfnspec: every resource type exists, every property (nested property types
 * included) is one the type declares, and required properties are present. Values that are
 * intrinsic functions are not walked into: their shape is CloudFormation's to check.
 */
interface PropertySpec {
  Required?: boolean;
  PrimitiveType?: string;
  Type?: string;
  ItemType?: string;
  PrimitiveItemType?: string;
}

interface TypeSpec {
  Properties?: Record<string, PropertySpec>;
}

interface Specification {
  ResourceSpecificationVersion: string;
  ResourceTypes: Record<string, TypeSpec>;
  PropertyTypes: Record<string, TypeSpec>;
}

export interface SpecTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

let cached: Specification | undefined;

export function specification(): Specification {
  cached ??= JSON.parse(
    readFileSync(
      join(require.resolve('@aws-cdk/cfnspec/package.json'), '..', 'spec', 'specification.json'),
      'utf8',
    ),
  ) as Specification;
  return cached;
}

/** An intrinsic function or a reference: a value CloudFormation computes at deploy time. */
export function isIntrinsic(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || (keys[0] ?? '').startsWith('Fn::'));
}

function propertyTypeName(resourceType: string, name: string): string {
  return name === 'Tag' ? 'Tag' : `${resourceType}.${name}`;
}

function checkObject(
  spec: Specification,
  resourceType: string,
  typeSpec: TypeSpec,
  value: unknown,
  path: string,
  problems: string[],
): void {
  if (isIntrinsic(value)) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${path}: expected an object`);
    return;
  }
  const declared = typeSpec.Properties ?? {};
  const given = value as Record<string, unknown>;
  for (const [name, propertyValue] of Object.entries(given)) {
    const property = declared[name];
    if (!property) {
      problems.push(`${path}.${name}: not a property of ${resourceType} in the specification`);
      continue;
    }
    checkValue(spec, resourceType, property, propertyValue, `${path}.${name}`, problems);
  }
  for (const [name, property] of Object.entries(declared)) {
    if (property.Required && !(name in given)) problems.push(`${path}.${name}: required`);
  }
}

function checkValue(
  spec: Specification,
  resourceType: string,
  property: PropertySpec,
  value: unknown,
  path: string,
  problems: string[],
): void {
  if (isIntrinsic(value) || property.PrimitiveType !== undefined) return;
  const itemType = property.ItemType;
  if (property.Type === 'List' || property.Type === 'Map') {
    if (!itemType) return; // a list or map of primitives
    const entries =
      property.Type === 'List'
        ? Array.isArray(value)
          ? value.map((item, index) => [String(index), item] as const)
          : null
        : Object.entries((value ?? {}) as Record<string, unknown>);
    if (entries === null) {
      problems.push(`${path}: expected a list`);
      return;
    }
    const itemSpec = spec.PropertyTypes[propertyTypeName(resourceType, itemType)];
    if (!itemSpec) {
      problems.push(`${path}: item type ${itemType} missing from the specification`);
      return;
    }
    for (const [key, item] of entries)
      checkObject(spec, resourceType, itemSpec, item, `${path}[${key}]`, problems);
    return;
  }
  if (property.Type) {
    const typeSpec = spec.PropertyTypes[propertyTypeName(resourceType, property.Type)];
    if (!typeSpec) {
      problems.push(`${path}: property type ${property.Type} missing from the specification`);
      return;
    }
    checkObject(spec, resourceType, typeSpec, value, path, problems);
  }
}

/** Every disagreement between the template and the specification, as readable lines. */
export function specProblems(template: SpecTemplate): string[] {
  const spec = specification();
  const problems: string[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type.startsWith('Custom::')) continue; // defined by its own Lambda
    const typeSpec = spec.ResourceTypes[resource.Type];
    if (!typeSpec) {
      problems.push(`${logicalId}: resource type ${resource.Type} is not in the specification`);
      continue;
    }
    checkObject(spec, resource.Type, typeSpec, resource.Properties ?? {}, logicalId, problems);
  }
  return problems;
}
