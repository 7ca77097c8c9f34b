import { specification, specProblems } from './support/cfn-spec.ts';
import { conditionHolds, createdBefore, evaluate, type Template } from './support/template.ts';

// The checkers the template tests rely on, shown to catch what they are meant to catch.
describe('the CloudFormation specification check', () => {
  test('is the @aws-cdk/cfnspec resource specification', () => {
    expect(Number.parseInt(specification().ResourceSpecificationVersion, 10)).toBeGreaterThan(100);
    expect(specification().ResourceTypes['AWS::Kinesis::Stream']).toBeDefined();
  });

  test.each([
    [
      'an unknown resource type',
      { Type: 'AWS::Kinesis::Streem', Properties: {} },
      'X: resource type AWS::Kinesis::Streem is not in the specification',
    ],
    [
      'a misspelt top-level property',
      { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriods: 60 } },
      'X.MessageRetentionPeriods: not a property of AWS::SQS::Queue in the specification',
    ],
    [
      'a misspelt property two levels down',
      {
        Type: 'AWS::KinesisFirehose::DeliveryStream',
        Properties: {
          ExtendedS3DestinationConfiguration: {
            BucketARN: 'arn:aws:s3:::b',
            RoleARN: 'arn:aws:iam::1:role/r',
            BufferingHints: { SizeInMB: 64 },
          },
        },
      },
      'X.ExtendedS3DestinationConfiguration.BufferingHints.SizeInMB: not a property of AWS::KinesisFirehose::DeliveryStream in the specification',
    ],
    [
      'a misspelt property inside a list item',
      {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          ComparisonOperator: 'GreaterThanThreshold',
          EvaluationPeriods: 1,
          Dimensions: [{ Name: 'FunctionName', Valeu: 'f' }],
        },
      },
      'X.Dimensions[0].Valeu: not a property of AWS::CloudWatch::Alarm in the specification',
    ],
    [
      'a missing required property',
      { Type: 'AWS::Kinesis::StreamConsumer', Properties: { ConsumerName: 'c' } },
      'X.StreamARN: required',
    ],
  ])('reports %s', (_what, resource, problem) => {
    expect(specProblems({ Resources: { X: resource } })).toContain(problem);
  });

  test('does not look inside intrinsic functions', () => {
    const template = {
      Resources: {
        X: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            RedrivePolicy: { 'Fn::If': ['C', { anything: 1 }, { Ref: 'AWS::NoValue' }] },
          },
        },
      },
    };
    expect(specProblems(template)).toEqual([]);
  });
});

describe('reading a template as CloudFormation does', () => {
  const template: Template = {
    Conditions: {
      Yes: { 'Fn::Equals': ['true', 'true'] },
      No: { 'Fn::Not': [{ Condition: 'Yes' }] },
    },
    Resources: {
      A: { Type: 'T', Properties: { B: { 'Fn::Sub': '${B.Arn}/x' } } },
      B: { Type: 'T', DependsOn: ['C'] },
      C: { Type: 'T' },
    },
  };

  test('conditions, Fn::If and AWS::NoValue are decided', () => {
    expect(conditionHolds(template, 'Yes')).toBe(true);
    expect(conditionHolds(template, 'No')).toBe(false);
    expect(
      evaluate(template, [
        { 'Fn::If': ['No', 'a', { Ref: 'AWS::NoValue' }] },
        { 'Fn::If': ['Yes', 'b', 'c'] },
      ]),
    ).toEqual(['b']);
  });

  test('creation order follows references and DependsOn, transitively', () => {
    expect(createdBefore(template, 'C', 'A')).toBe(true);
    expect(createdBefore(template, 'A', 'C')).toBe(false);
  });
});
