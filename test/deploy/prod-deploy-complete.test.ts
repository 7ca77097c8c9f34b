import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { COPY_ROLE_OUTPUT } from '../../offline/copy-role-check.ts';
import { loadWarehouseSetupConfig } from '../../shared/config/warehouse-setup-config.ts';
import { MIGRATIONS } from '../../shared/warehouse-schema/migrations.ts';
import { deployedEnvironment } from './support/deployed-env.ts';
import { packageStage, type Packaged } from './support/package-stage.ts';
import {
  PACKAGE_TIMEOUT_MS,
  PROD_ENV,
  PROD_SECRET_ARN,
  PROD_WORKGROUP_ID,
} from './support/prod-env.ts';
import {
  allStatements,
  at,
  createdBefore,
  list,
  onlyOfType,
  resource,
  roleStatements,
  type Template,
} from './support/template.ts';

/**
 * `sls deploy` is the whole deploy: nothing the prod template leaves to a person. The schema
 * is migrated by the stack's Custom::WarehouseSchema (and the JSONPaths files written by it),
 * the framework's own deployment bucket is private, encrypted and TLS-only, and no policy
 * names a wildcard where the warehouse is known.
 */
const ROOT = resolve(__dirname, '../..');
let packaged: Packaged | undefined;
let template: Template;

beforeAll(() => {
  packaged = packageStage('prod', PROD_ENV);
  template = packaged.template;
}, PACKAGE_TIMEOUT_MS);
afterAll(() => packaged?.cleanup());

const grants = (action: string) =>
  roleStatements(template, 'WarehouseSetupRole')
    .filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action))
    .flatMap((s) => list(s.Resource));

describe('the warehouse is migrated by the stack', () => {
  test('Custom::WarehouseSchema is served by the warehouse-setup function, and changes with each migration', () => {
    const [id, schema] = onlyOfType(template, 'Custom::WarehouseSchema');
    expect(id).toBe('WarehouseSchema');
    expect(at(schema.Properties, 'ServiceToken')).toEqual({
      'Fn::GetAtt': ['WarehouseSetupLambdaFunction', 'Arn'],
    });
    // CloudFormation sends Update only when a property changes: a new migration must.
    const latest = MIGRATIONS[MIGRATIONS.length - 1]?.name ?? '';
    expect(String(at(schema.Properties, 'SchemaVersion'))).toMatch(
      new RegExp(`^${latest}\\+jsonpaths-[0-9a-f]{12}$`),
    );
    // The bucket the JSONPaths files go to exists first (through the function's role).
    expect(createdBefore(template, 'AnalyticsBucket', 'WarehouseSchema')).toBe(true);
    expect(createdBefore(template, 'WarehouseSetupRole', 'WarehouseSchema')).toBe(true);
  });

  test('the function migrates the same warehouse the load function loads, and writes its JSONPaths files where it reads them', () => {
    const setup = deployedEnvironment(template, 'WarehouseSetupLambdaFunction');
    const load = deployedEnvironment(template, 'LoadLambdaFunction');
    expect(setup.REDSHIFT_JSONPATHS_PREFIX).toBe(load.REDSHIFT_JSONPATHS_PREFIX);
    expect(loadWarehouseSetupConfig(setup)).toMatchObject({
      warehouse: {
        dialect: 'redshift',
        target: { WorkgroupName: 'analytics', Database: 'analytics', SecretArn: PROD_SECRET_ARN },
      },
      warehouseId: 'workgroup/analytics/analytics',
      jsonPaths: { bucket: 'clickstream-prod-analytics', prefix: 'jsonpaths/' },
    });
    // Lambda's longest run: it answers CloudFormation before the end in any case.
    expect(at(resource(template, 'WarehouseSetupLambdaFunction').Properties, 'Timeout')).toBe(900);
  });

  test('its role: the Data API on the one workgroup, the one secret, the jsonpaths/ folder only', () => {
    expect(grants('redshift-data:ExecuteStatement')).toEqual([
      {
        'Fn::Sub': `arn:\${AWS::Partition}:redshift-serverless:\${AWS::Region}:\${AWS::AccountId}:workgroup/${PROD_WORKGROUP_ID}`,
      },
    ]);
    expect(grants('redshift-data:BatchExecuteStatement')).toEqual([]);
    expect(grants('secretsmanager:GetSecretValue')).toEqual([PROD_SECRET_ARN]);
    expect(grants('s3:PutObject')).toEqual([{ 'Fn::Sub': '${AnalyticsBucket.Arn}/jsonpaths/*' }]);
    expect(grants('s3:GetObject')).toEqual([]);
    const kms = roleStatements(template, 'WarehouseSetupRole').find((s) =>
      list(s.Action).includes('kms:GenerateDataKey'),
    );
    expect(kms).toMatchObject({
      Resource: { 'Fn::GetAtt': ['DataKey', 'Arn'] },
      Condition: {
        StringEquals: { 'kms:ViaService': { 'Fn::Sub': 's3.${AWS::Region}.amazonaws.com' } },
      },
    });
  });
});

describe("the framework's deployment bucket", () => {
  test('blocks public access, encrypts by default and refuses requests without TLS', () => {
    const bucket = resource(template, 'ServerlessDeploymentBucket').Properties ?? {};
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(at(bucket, 'BucketEncryption.ServerSideEncryptionConfiguration.0')).toEqual({
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
    });
    const policy = resource(template, 'ServerlessDeploymentBucketPolicy').Properties ?? {};
    expect(at(policy, 'Bucket')).toEqual({ Ref: 'ServerlessDeploymentBucket' });
    expect(at(policy, 'PolicyDocument.Statement')).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': false } },
      }),
    ]);
  });
});

describe('no wildcard where the identifier is known', () => {
  test('no Redshift ARN in any policy ends in a wildcard or an empty identifier', () => {
    const arns = allStatements(template).flatMap(({ where, statement }) =>
      list(statement.Resource).map((r) => ({ where, arn: JSON.stringify(r) })),
    );
    const redshift = arns.filter(({ arn }) => /redshift/.test(arn));
    expect(redshift.length).toBeGreaterThan(0);
    const open = redshift.filter(({ arn }) =>
      /(workgroup\/|cluster:|dbuser:|dbname:)(\*|"|\/)/.test(arn),
    );
    expect(open).toEqual([]);
  });
});

describe('nothing left to do by hand', () => {
  test('the prod package needs only variables docs/deploy.md documents', () => {
    const documented = new Set(
      [...readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map(
        (m) => m[1],
      ),
    );
    expect(Object.keys(PROD_ENV).filter((name) => !documented.has(name))).toEqual([]);
  });

  test('no Serverless variable is left unresolved in the template', () => {
    const unresolved = JSON.stringify(template).match(
      /\$\{(?:(?:param|env|self|sls|opt|cf|ssm|s3):|file\()[^}]*\}/g,
    );
    expect(unresolved).toBeNull();
  });

  test('the outputs the deploy reads and docs/deploy.md uses: the COPY role for its check, the API URL to verify', () => {
    expect(template.Outputs?.[COPY_ROLE_OUTPUT]?.Value).toEqual({
      'Fn::GetAtt': ['RedshiftCopyRole', 'Arn'],
    });
    expect(template.Outputs?.[COPY_ROLE_OUTPUT]?.Condition).toBeUndefined();
    expect(template.Outputs?.HttpApiUrl).toBeDefined();
  });

  test('the one step an existing warehouse could need, the COPY role association, is checked by the deploy: without credentials the package says it skipped it', () => {
    expect(packaged?.output).toContain(
      'COPY role check skipped: no AWS credentials (ServerlessError: AWS provider credentials not found.',
    );
    expect(packaged?.output).toContain('COPY_ROLE_CHECK=required');
  });
});
