import { loadWarehouseConfig } from '../../shared/config/load-config.ts';
import { deployedEnvironment } from './support/deployed-env.ts';
import { DEPLOY_ENV, packageStage, type Packaged } from './support/package-stage.ts';
import { PACKAGE_TIMEOUT_MS } from './support/prod-env.ts';
import {
  at,
  conditionHolds,
  evaluate,
  list,
  resource,
  roleStatements,
  type Template,
} from './support/template.ts';

/**
 * The other two ways to point the stack at Redshift, on a default (non-prod) stage: create a
 * Serverless namespace + workgroup in the stack, or use a provisioned cluster with a database
 * user. One package per way, both in beforeAll.
 */
let created: Packaged | undefined;
let cluster: Packaged | undefined;

beforeAll(() => {
  created = packageStage('staging', {
    ...DEPLOY_ENV,
    CREATE_REDSHIFT: 'true',
    REDSHIFT_DATABASE: 'analytics',
    ALARM_EMAIL: 'ops@example.com',
  });
  cluster = packageStage('dev', {
    ...DEPLOY_ENV,
    CREATE_REDSHIFT: 'false',
    REDSHIFT_CLUSTER_ID: 'analytics-cluster',
    REDSHIFT_DB_USER: 'loader',
    REDSHIFT_DATABASE: 'analytics',
    REDSHIFT_SECRET_ARN: '',
    REDSHIFT_READ_SECRET_ARN: '',
  });
}, PACKAGE_TIMEOUT_MS * 2);
afterAll(() => {
  created?.cleanup();
  cluster?.cleanup();
});

const grants = (template: Template, role: string, action: string) =>
  roleStatements(template, role)
    .filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action))
    .flatMap((s) => list(s.Resource));

describe('createRedshift: true on a default stage', () => {
  const t = () => (created as Packaged).template;

  test('creates a namespace and workgroup under the CreateRedshift condition, with the COPY role attached', () => {
    expect(conditionHolds(t(), 'CreateRedshift')).toBe(true);
    for (const id of ['RedshiftNamespace', 'RedshiftWorkgroup', 'RedshiftAdminSecret'])
      expect(resource(t(), id).Condition).toBe('CreateRedshift');
    const namespace = resource(t(), 'RedshiftNamespace').Properties ?? {};
    expect(namespace).toMatchObject({
      DbName: 'analytics',
      IamRoles: [{ 'Fn::GetAtt': ['RedshiftCopyRole', 'Arn'] }],
      DefaultIamRoleArn: { 'Fn::GetAtt': ['RedshiftCopyRole', 'Arn'] },
      KmsKeyId: { Ref: 'DataKey' },
    });
    // Credentials come from the generated secret, never from the template.
    expect(String(at(namespace, 'AdminUserPassword.Fn::Sub'))).toBe(
      '{{resolve:secretsmanager:${RedshiftAdminSecret}:SecretString:password}}',
    );
    const workgroup = evaluate(t(), resource(t(), 'RedshiftWorkgroup').Properties) as Record<
      string,
      unknown
    >;
    expect(workgroup).toMatchObject({ BaseCapacity: 8, PubliclyAccessible: false });
    expect(workgroup).not.toHaveProperty('SubnetIds'); // none given: the default VPC
  });

  test('the functions use the created workgroup and secret, and may query only it', () => {
    const env = deployedEnvironment(t(), 'LoadLambdaFunction');
    const workgroupName = at(resource(t(), 'RedshiftWorkgroup').Properties, 'WorkgroupName');
    expect(env.REDSHIFT_WORKGROUP).toBe(workgroupName);
    expect(loadWarehouseConfig(env)).toMatchObject({
      dialect: 'redshift',
      target: {
        WorkgroupName: 'clickstream-staging',
        SecretArn:
          'arn:aws:secretsmanager:us-east-1:123456789012:secret:RedshiftAdminSecret-AbCdEf',
      },
    });
    const workgroupArn = { 'Fn::GetAtt': ['RedshiftWorkgroup', 'Workgroup.WorkgroupArn'] };
    expect(grants(t(), 'LoadRole', 'redshift-data:BatchExecuteStatement')).toEqual([workgroupArn]);
    expect(grants(t(), 'DashboardRole', 'redshift-data:ExecuteStatement')).toEqual([workgroupArn]);
    expect(grants(t(), 'LoadRole', 'secretsmanager:GetSecretValue')).toEqual([
      { Ref: 'RedshiftAdminSecret' },
    ]);
  });

  test('a default stage provisions shards, keeps 24 hours, deletes data with the stack and mails alarms', () => {
    const stream = evaluate(t(), resource(t(), 'ClickstreamStream').Properties);
    expect(stream).toMatchObject({
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      ShardCount: 2,
      RetentionPeriodHours: 24,
    });
    expect(resource(t(), 'AnalyticsBucket').DeletionPolicy).toBe('Delete');
    expect(conditionHolds(t(), 'HasAlarmEmail')).toBe(true);
    expect(resource(t(), 'AlarmEmailSubscription').Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    expect(conditionHolds(t(), 'CreateDashboard')).toBe(false);
  });
});

describe('an existing provisioned cluster with a database user', () => {
  const t = () => (cluster as Packaged).template;

  test('the load function asks the Data API for temporary credentials of that user on that cluster', () => {
    expect(conditionHolds(t(), 'CreateRedshift')).toBe(false);
    expect(loadWarehouseConfig(deployedEnvironment(t(), 'LoadLambdaFunction'))).toMatchObject({
      target: { ClusterIdentifier: 'analytics-cluster', DbUser: 'loader', Database: 'analytics' },
    });
    const prefix = 'arn:${AWS::Partition}:redshift:${AWS::Region}:${AWS::AccountId}';
    expect(grants(t(), 'LoadRole', 'redshift-data:BatchExecuteStatement')).toEqual([
      { 'Fn::Sub': `${prefix}:cluster:analytics-cluster` },
    ]);
    expect(grants(t(), 'LoadRole', 'redshift:GetClusterCredentials')).toEqual([
      { 'Fn::Sub': `${prefix}:dbuser:analytics-cluster/loader` },
      { 'Fn::Sub': `${prefix}:dbname:analytics-cluster/analytics` },
    ]);
    // No secret given: no secret grant at all.
    expect(grants(t(), 'LoadRole', 'secretsmanager:GetSecretValue')).toEqual([]);
    expect(grants(t(), 'DashboardRole', 'secretsmanager:GetSecretValue')).toEqual([]);
  });
});
