/**
 * Resolves the CloudFormation intrinsics that serverless.yml uses (Ref, Fn::GetAtt,
 * Fn::Sub, Fn::Join) to the names and ARNs the local stand-ins use, so the same file drives
 * both worlds. Account 000000000000, as local emulators conventionally use.
 */
export const LOCAL_ACCOUNT = '000000000000';

export interface CfnResource {
  Type?: string;
  /** A resource whose condition is false is not created. */
  Condition?: string;
  Properties?: Record<string, unknown>;
}

export interface LocalNames {
  region: string;
  service: string;
  stage: string;
  resources: Record<string, CfnResource>;
  /** Serverless's logical ids of functions (e.g. TransformLambdaFunction) to function names. */
  functionsByLogicalId: Record<string, string>;
  /** Where the SQS stand-in answers, for queue URLs. */
  sqsEndpoint?: string;
  /** The template's Conditions, for resources that carry a `Condition`. */
  conditions?: Record<string, unknown>;
}

export class CfnResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CfnResolutionError';
  }
}

function propertyName(
  names: LocalNames,
  logicalId: string,
  property: string,
  fallback: string,
): string {
  const value = names.resources[logicalId]?.Properties?.[property];
  return typeof value === 'string' ? value : fallback;
}

function defaultName(names: LocalNames, logicalId: string): string {
  return `${names.service}-${names.stage}-${logicalId}`;
}

/** Ref: the name a resource's Ref gives on AWS (stream and bucket names, queue URLs, ...). */
export function refOf(names: LocalNames, logicalId: string): string {
  if (logicalId === 'AWS::Region') return names.region;
  if (logicalId === 'AWS::AccountId') return LOCAL_ACCOUNT;
  if (logicalId === 'AWS::Partition') return 'aws';
  if (logicalId === 'AWS::StackName') return `${names.service}-${names.stage}`;
  const fn = names.functionsByLogicalId[logicalId];
  if (fn) return fn;
  const resource = names.resources[logicalId];
  if (!resource)
    throw new CfnResolutionError(`Ref to ${logicalId}: no such resource in serverless.yml`);
  switch (resource.Type) {
    case 'AWS::Kinesis::Stream':
      return propertyName(names, logicalId, 'Name', defaultName(names, logicalId));
    case 'AWS::S3::Bucket':
      return propertyName(
        names,
        logicalId,
        'BucketName',
        defaultName(names, logicalId).toLowerCase(),
      );
    case 'AWS::SQS::Queue': {
      const queue = propertyName(names, logicalId, 'QueueName', defaultName(names, logicalId));
      return `${names.sqsEndpoint ?? 'http://127.0.0.1:4576'}/${LOCAL_ACCOUNT}/${queue}`;
    }
    case 'AWS::KinesisFirehose::DeliveryStream':
      return propertyName(names, logicalId, 'DeliveryStreamName', defaultName(names, logicalId));
    case 'AWS::Kinesis::StreamConsumer':
      return getAtt(names, logicalId, 'ConsumerARN');
    case 'AWS::SNS::Topic': // Ref of a topic is its ARN
      return getAtt(names, logicalId, 'TopicArn');
    default:
      return logicalId;
  }
}

/** Fn::GetAtt for the attributes serverless.yml asks of local resources. */
export function getAtt(names: LocalNames, logicalId: string, attribute: string): string {
  const { region } = names;
  const fn = names.functionsByLogicalId[logicalId];
  if (fn && attribute === 'Arn') return `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${fn}`;
  const resource = names.resources[logicalId];
  if (!resource)
    throw new CfnResolutionError(
      `Fn::GetAtt ${logicalId}.${attribute}: no such resource in serverless.yml`,
    );
  const type = resource.Type;
  if (type === 'AWS::Kinesis::Stream' && attribute === 'Arn') {
    return `arn:aws:kinesis:${region}:${LOCAL_ACCOUNT}:stream/${refOf(names, logicalId)}`;
  }
  if (
    type === 'AWS::Kinesis::StreamConsumer' &&
    (attribute === 'ConsumerARN' || attribute === 'Arn')
  ) {
    const props = resource.Properties ?? {};
    const streamArn = resolve(names, props.StreamARN);
    return `${String(streamArn)}/consumer/${String(resolve(names, props.ConsumerName))}:0`;
  }
  if (type === 'AWS::S3::Bucket' && attribute === 'Arn')
    return `arn:aws:s3:::${refOf(names, logicalId)}`;
  if (type === 'AWS::SQS::Queue' && attribute === 'Arn') {
    const queue = propertyName(names, logicalId, 'QueueName', defaultName(names, logicalId));
    return `arn:aws:sqs:${region}:${LOCAL_ACCOUNT}:${queue}`;
  }
  if (type === 'AWS::SQS::Queue' && attribute === 'QueueName') {
    return propertyName(names, logicalId, 'QueueName', defaultName(names, logicalId));
  }
  if (type === 'AWS::SNS::Topic' && (attribute === 'TopicArn' || attribute === 'TopicName')) {
    const topic = propertyName(names, logicalId, 'TopicName', defaultName(names, logicalId));
    return attribute === 'TopicName' ? topic : `arn:aws:sns:${region}:${LOCAL_ACCOUNT}:${topic}`;
  }
  if (type === 'AWS::KinesisFirehose::DeliveryStream' && attribute === 'Arn') {
    return `arn:aws:firehose:${region}:${LOCAL_ACCOUNT}:deliverystream/${refOf(names, logicalId)}`;
  }
  // Anything else (IAM roles, KMS keys, log groups) has no local meaning: a stable placeholder.
  return `arn:aws:local:${region}:${LOCAL_ACCOUNT}:${logicalId}/${attribute}`;
}

/** Resolves a value that may contain intrinsics, recursively. */
export function resolve(names: LocalNames, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => resolve(names, item));
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const arg = object[key];
    if (key === 'Ref') return refOf(names, String(arg));
    if (key === 'Fn::GetAtt') {
      const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
      return getAtt(names, String(logicalId), String(attribute));
    }
    if (key === 'Fn::Join' && Array.isArray(arg)) {
      const [separator, parts] = arg as [string, unknown[]];
      return (resolve(names, parts) as unknown[]).map(String).join(separator);
    }
    if (key === 'Fn::Sub') return substitute(names, arg);
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = resolve(names, object[key]);
  return out;
}

function substitute(names: LocalNames, arg: unknown): string {
  const [template, variables] = Array.isArray(arg)
    ? (arg as [string, Record<string, unknown>])
    : [String(arg), {}];
  return template.replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) => {
    if (variables && name in variables) return String(resolve(names, variables[name]));
    const [logicalId, attribute] = name.split('.');
    return attribute
      ? getAtt(names, logicalId as string, attribute)
      : refOf(names, logicalId as string);
  });
}

/** Whether CloudFormation creates the resource: its `Condition`, if any, holds. */
export function isCreated(names: LocalNames, resource: CfnResource): boolean {
  return resource.Condition === undefined || conditionHolds(names, resource.Condition);
}

function conditionHolds(names: LocalNames, name: string): boolean {
  const condition = names.conditions?.[name];
  if (condition === undefined)
    throw new CfnResolutionError(`Condition ${name}: no such condition in serverless.yml`);
  return evaluate(names, condition, name);
}

/** Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition, as CloudFormation evaluates them. */
function evaluate(names: LocalNames, value: unknown, within: string): boolean {
  const object = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  const [key] = Object.keys(object);
  const arg = key === undefined ? undefined : object[key];
  const list = Array.isArray(arg) ? arg : [];
  switch (key) {
    case 'Condition':
      return conditionHolds(names, String(arg));
    case 'Fn::Equals':
      return String(resolve(names, list[0])) === String(resolve(names, list[1]));
    case 'Fn::Not':
      return !evaluate(names, list[0], within);
    case 'Fn::And':
      return list.every((item) => evaluate(names, item, within));
    case 'Fn::Or':
      return list.some((item) => evaluate(names, item, within));
    default:
      throw new CfnResolutionError(
        `Condition ${within}: ${JSON.stringify(value)} is not a condition the local mode evaluates (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition)`,
      );
  }
}
