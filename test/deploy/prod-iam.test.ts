import { loadWarehouseConfig, migrationWarehouseConfig } from '../../shared/config/load-config.ts';
import { deployedEnvironment } from './support/deployed-env.ts';
import { packageStage, type Packaged } from './support/package-stage.ts';
import {
  PACKAGE_TIMEOUT_MS,
  PROD_ENV,
  PROD_READ_SECRET_ARN,
  PROD_SECRET_ARN,
  PROD_WORKGROUP_ID,
} from './support/prod-env.ts';
import {
  allStatements,
  at,
  list,
  ofType,
  referencedIds,
  resource,
  roleStatements,
  type Statement,
  type Template,
} from './support/template.ts';

let packaged: Packaged | undefined;
let template: Template;

beforeAll(() => {
  packaged = packageStage('prod', PROD_ENV);
  template = packaged.template;
}, PACKAGE_TIMEOUT_MS);
afterAll(() => packaged?.cleanup());

/**
 * Actions AWS authorises only on Resource "*" (no resource-level permissions): the Data
 * API's statement calls, which the roles narrow with a statement-owner condition instead.
 */
const UNSCOPABLE_ACTIONS = new Set([
  'redshift-data:DescribeStatement',
  'redshift-data:GetStatementResult',
  'redshift-data:CancelStatement',
  'redshift-data:ListStatements',
]);

const actions = (statements: Statement[]) =>
  [
    ...new Set(statements.filter((s) => s.Effect === 'Allow').flatMap((s) => list(s.Action))),
  ].sort();

const roleOf = (functionId: string) =>
  String(at(resource(template, functionId).Properties, 'Role.Fn::GetAtt.0'));

const grantsOn = (roleId: string, action: string) =>
  roleStatements(template, roleId)
    .filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action))
    .flatMap((s) => list(s.Resource));

const OUR_FUNCTIONS = ['Ingest', 'Aggregate', 'Transform', 'Load', 'Dashboard', 'WarehouseSetup'];

describe('IAM in the prod template', () => {
  test('every function runs as its own role, and no two functions share one', () => {
    const functions = ofType(template, 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(OUR_FUNCTIONS.length);
    const roles = functions.map(([id]) => roleOf(id));
    for (const role of roles) expect(resource(template, role).Type).toBe('AWS::IAM::Role');
    expect(new Set(roles).size).toBe(functions.length);
    // Managed policies (AWSLambdaBasicExecutionRole & co.) grant logs on every group.
    for (const id of OUR_FUNCTIONS)
      expect(resource(template, roleOf(`${id}LambdaFunction`)).Properties).not.toHaveProperty(
        'ManagedPolicyArns',
      );
  });

  test('no statement allows a wildcard action', () => {
    const allows = allStatements(template).filter(({ statement }) => statement.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(30);
    const wildcards = allows.flatMap(({ where, statement }) =>
      list(statement.Action)
        .filter((action) => action === '*' || action.includes('*'))
        .map((action) => `${where}: ${action}`),
    );
    expect(wildcards).toEqual([]);
    expect(allows.filter(({ statement }) => 'NotAction' in statement)).toEqual([]);
  });

  test('Resource "*" appears only with actions AWS cannot scope, and then under a condition', () => {
    const starred = allStatements(template).filter(
      ({ where, statement }) =>
        statement.Effect === 'Allow' &&
        list(statement.Resource).includes('*') &&
        // In a KMS key policy "*" is the key itself: the policy is attached to it.
        resource(template, where).Type !== 'AWS::KMS::Key',
    );
    expect(starred.length).toBeGreaterThan(0);
    for (const { statement } of starred) {
      expect(list(statement.Action).filter((a) => !UNSCOPABLE_ACTIONS.has(a))).toEqual([]);
      expect(statement.Condition).toEqual({
        StringEquals: {
          'redshift-data:statement-owner-iam-userid': { 'Fn::Sub': '${!aws:userid}' },
        },
      });
    }
  });

  test('each function writes only to its own log group and never creates one', () => {
    for (const name of OUR_FUNCTIONS) {
      const fn = resource(template, `${name}LambdaFunction`);
      const logStatements = roleStatements(template, roleOf(`${name}LambdaFunction`)).filter((s) =>
        list(s.Action).some((a) => a.startsWith('logs:')),
      );
      expect(actions(logStatements)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      for (const s of logStatements) {
        const [group] = referencedIds(s.Resource);
        expect(at(resource(template, String(group)).Properties, 'LogGroupName')).toBe(
          `/aws/lambda/${String(fn.Properties?.FunctionName)}`,
        );
      }
    }
  });

  test.each([
    ['Ingest', ['kinesis:PutRecord', 'kinesis:PutRecords']],
    [
      'Aggregate',
      [
        'firehose:PutRecordBatch',
        'kinesis:DescribeStream',
        'kinesis:DescribeStreamConsumer',
        'kinesis:DescribeStreamSummary',
        'kinesis:GetRecords',
        'kinesis:GetShardIterator',
        'kinesis:ListShards',
        'kinesis:SubscribeToShard',
        'sqs:SendMessage',
      ],
    ],
    ['Transform', []],
    [
      'Load',
      [
        'kms:Decrypt',
        'redshift-data:BatchExecuteStatement',
        'redshift-data:DescribeStatement',
        's3:GetObject',
        'secretsmanager:GetSecretValue',
        'sqs:SendMessage',
      ],
    ],
    [
      'Dashboard',
      [
        'redshift-data:DescribeStatement',
        'redshift-data:ExecuteStatement',
        'redshift-data:GetStatementResult',
        'secretsmanager:GetSecretValue',
      ],
    ],
    [
      'WarehouseSetup',
      [
        'kms:GenerateDataKey',
        'redshift-data:DescribeStatement',
        'redshift-data:ExecuteStatement',
        'redshift-data:GetStatementResult',
        's3:PutObject',
        'secretsmanager:GetSecretValue',
      ],
    ],
  ])('the %s role allows exactly the calls its function makes', (name, expected) => {
    const statements = roleStatements(template, roleOf(`${name}LambdaFunction`));
    expect(actions(statements).filter((a) => !a.startsWith('logs:'))).toEqual(expected);
  });

  test('stream, consumer, delivery stream and queue grants name those resources only', () => {
    expect(grantsOn('IngestRole', 'kinesis:PutRecords')).toEqual([
      { 'Fn::GetAtt': ['ClickstreamStream', 'Arn'] },
    ]);
    expect(grantsOn('AggregateRole', 'kinesis:SubscribeToShard')).toEqual([
      { 'Fn::GetAtt': ['ClickstreamConsumer', 'ConsumerARN'] },
    ]);
    expect(grantsOn('AggregateRole', 'firehose:PutRecordBatch')).toEqual([
      { 'Fn::GetAtt': ['MetricsDeliveryStream', 'Arn'] },
    ]);
    for (const role of ['AggregateRole', 'LoadRole'])
      expect(grantsOn(role, 'sqs:SendMessage')).toEqual([
        { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
      ]);
  });

  test('the Data API grants name the existing workgroup by id, and each function its own secret', () => {
    const workgroup = {
      'Fn::Sub': `arn:\${AWS::Partition}:redshift-serverless:\${AWS::Region}:\${AWS::AccountId}:workgroup/${PROD_WORKGROUP_ID}`,
    };
    expect(grantsOn('LoadRole', 'redshift-data:BatchExecuteStatement')).toEqual([workgroup]);
    expect(grantsOn('DashboardRole', 'redshift-data:ExecuteStatement')).toEqual([workgroup]);
    expect(grantsOn('LoadRole', 'secretsmanager:GetSecretValue')).toEqual([PROD_SECRET_ARN]);
    // The deploy-time migrations: the same workgroup, the loader's secret.
    expect(grantsOn('WarehouseSetupRole', 'redshift-data:ExecuteStatement')).toEqual([workgroup]);
    expect(grantsOn('WarehouseSetupRole', 'secretsmanager:GetSecretValue')).toEqual([
      PROD_SECRET_ARN,
    ]);
    expect(grantsOn('DashboardRole', 'secretsmanager:GetSecretValue')).toEqual([
      PROD_READ_SECRET_ARN,
    ]);
  });

  test('the Firehose roles write only their own prefixes of the bucket', () => {
    const objects = (role: string) =>
      grantsOn(role, 's3:PutObject').map((r) => String(at(r, 'Fn::Sub')));
    expect(objects('EventsFirehoseRole').sort()).toEqual([
      '${AnalyticsBucket.Arn}/events/*',
      '${AnalyticsBucket.Arn}/processing-failed/events/*',
    ]);
    expect(objects('MetricsFirehoseRole').sort()).toEqual([
      '${AnalyticsBucket.Arn}/metrics/*',
      '${AnalyticsBucket.Arn}/processing-failed/metrics/*',
    ]);
    expect(grantsOn('EventsFirehoseRole', 'lambda:InvokeFunction')).toEqual([
      { 'Fn::GetAtt': ['TransformLambdaFunction', 'Arn'] },
    ]);
  });

  test('the COPY role lets Redshift read this bucket and nothing else', () => {
    const trust = at(
      resource(template, 'RedshiftCopyRole').Properties,
      'AssumeRolePolicyDocument.Statement.0.Principal.Service',
    );
    expect(list(trust as string[]).sort()).toEqual([
      'redshift-serverless.amazonaws.com',
      'redshift.amazonaws.com',
    ]);
    const statements = roleStatements(template, 'RedshiftCopyRole');
    expect(actions(statements)).toEqual([
      'kms:Decrypt',
      's3:GetBucketLocation',
      's3:GetObject',
      's3:ListBucket',
    ]);
    for (const s of statements.filter((x) => list(x.Action).some((a) => a.startsWith('s3:'))))
      expect([...referencedIds(s.Resource)]).toEqual(['AnalyticsBucket']);
  });
});

describe('the deployed functions configure themselves from the template', () => {
  test('the load function loads Redshift through the Data API with the COPY role and JSONPaths', () => {
    const config = loadWarehouseConfig(deployedEnvironment(template, 'LoadLambdaFunction'));
    expect(config).toMatchObject({
      dialect: 'redshift',
      target: { WorkgroupName: 'analytics', Database: 'analytics', SecretArn: PROD_SECRET_ARN },
      load: {
        iamRoleArn: 'arn:aws:iam::123456789012:role/RedshiftCopyRole',
        jsonPathsPrefix: 's3://clickstream-prod-analytics/jsonpaths/',
      },
    });
  });

  test('the dashboard reads the same warehouse with the read-only secret', () => {
    expect(
      migrationWarehouseConfig(deployedEnvironment(template, 'DashboardLambdaFunction')),
    ).toMatchObject({
      dialect: 'redshift',
      target: {
        WorkgroupName: 'analytics',
        Database: 'analytics',
        SecretArn: PROD_READ_SECRET_ARN,
      },
    });
  });

  test('every function emits metrics under one Powertools namespace', () => {
    for (const name of OUR_FUNCTIONS)
      expect(
        deployedEnvironment(template, `${name}LambdaFunction`).POWERTOOLS_METRICS_NAMESPACE,
      ).toBe('Clickstream');
  });
});
