import { isIntrinsic } from './cfn-spec.ts';
import { at, evaluate, resource, type Template } from './template.ts';

/**
 * A function's environment as Lambda would see it: conditions decided, and the deploy-time
 * values the stack fills in (a role's ARN, a created secret's ARN) replaced by plausible
 * stand-ins, so the code's own config parser can be run on it.
 */
export function deployedEnvironment(template: Template, functionId: string): NodeJS.ProcessEnv {
  const variables = evaluate(
    template,
    at(resource(template, functionId).Properties, 'Environment.Variables'),
  ) as Record<string, unknown>;
  const env: NodeJS.ProcessEnv = { AWS_REGION: 'us-east-1' };
  for (const [name, value] of Object.entries(variables)) {
    env[name] = isIntrinsic(value) ? standIn(template, value) : String(value);
  }
  return env;
}

function standIn(template: Template, value: unknown): string {
  const getAtt = at(value, 'Fn::GetAtt') as [string, string] | undefined;
  const ref = at(value, 'Ref') as string | undefined;
  const id = getAtt?.[0] ?? ref ?? '';
  const type = template.Resources[id]?.Type;
  if (type === 'AWS::IAM::Role' && getAtt?.[1] === 'Arn')
    return `arn:aws:iam::123456789012:role/${id}`;
  if (type === 'AWS::SecretsManager::Secret' && ref)
    return `arn:aws:secretsmanager:us-east-1:123456789012:secret:${id}-AbCdEf`;
  throw new Error(`no stand-in for ${JSON.stringify(value)}`);
}
