import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEPLOY_ENV, packageStage, type Packaged } from './support/package-stage.ts';
import { PACKAGE_TIMEOUT_MS } from './support/prod-env.ts';
import { at, createdBefore, resource, type Template } from './support/template.ts';

/**
 * `sls remove` deletes the stack cleanly: CloudFormation keeps exactly what docs/deploy.md
 * says it keeps (DeletionPolicy/UpdateReplacePolicy Retain under dataDeletionPolicy: Retain,
 * the prod default), deletes everything else, and nothing makes the delete fail on its own:
 * the custom resource's provider outlives it, and the one resource that cannot be deleted
 * while not empty, a bucket, is emptied first by the documented command.
 */
const ROOT = resolve(__dirname, '../..');
const deployDoc = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
const tearDownAt = deployDoc.indexOf('## Tear down');
const tearDown = deployDoc.slice(tearDownAt, deployDoc.indexOf('\n## ', tearDownAt + 1));

let prod: Packaged | undefined;
let dev: Packaged | undefined;

beforeAll(() => {
  // A created warehouse in both, so the namespace and its secret are in the templates.
  const created = { ...DEPLOY_ENV, CREATE_REDSHIFT: 'true', REDSHIFT_DATABASE: 'analytics' };
  prod = packageStage('prod', created);
  dev = packageStage('dev', created);
}, PACKAGE_TIMEOUT_MS * 2);
afterAll(() => {
  prod?.cleanup();
  dev?.cleanup();
});

/**
 * Resources CloudFormation leaves behind. The framework marks each AWS::Lambda::Version
 * Retain (so an update keeps the previous versions); a version cannot outlive its function,
 * and the functions are deleted, so the versions go with them (checked below).
 */
const policies = (template: Template, policy: 'DeletionPolicy' | 'UpdateReplacePolicy') =>
  Object.entries(template.Resources)
    .filter(([, r]) => r.Type !== 'AWS::Lambda::Version')
    .filter(([, r]) => r[policy] !== undefined && r[policy] !== 'Delete')
    .map(([id, r]) => `${id}: ${String(r[policy])}`)
    .sort();

/** What the prod stack keeps, and the command docs/deploy.md gives to delete each. */
const KEPT_IN_PROD: Record<string, string> = {
  AnalyticsBucket: 'aws s3 rb s3://clickstream-prod-analytics --force',
  DataKey: 'aws kms schedule-key-deletion --key-id "$KEY" --pending-window-in-days 7',
  RedshiftAdminSecret:
    'aws secretsmanager delete-secret --secret-id "$SECRET" --force-delete-without-recovery',
  RedshiftNamespace: 'aws redshift-serverless delete-namespace --namespace-name clickstream-prod',
};

describe('dataDeletionPolicy: Retain (prod)', () => {
  const t = () => (prod as Packaged).template;

  test('keeps exactly the bucket, the KMS key, a created namespace and its admin secret, on delete and on replacement', () => {
    const kept = Object.keys(KEPT_IN_PROD)
      .sort()
      .map((id) => `${id}: Retain`);
    expect(policies(t(), 'DeletionPolicy')).toEqual(kept);
    expect(policies(t(), 'UpdateReplacePolicy')).toEqual(kept);
  });

  test('docs/deploy.md names each kept thing with the command that deletes it', () => {
    for (const command of Object.values(KEPT_IN_PROD)) expect(tearDown).toContain(command);
    // How to find the ids the commands need before the stack, and its resource list, is gone.
    for (const id of ['DataKey', 'RedshiftAdminSecret'])
      expect(tearDown).toContain(`--logical-resource-id ${id}`);
  });
});

describe('dataDeletionPolicy: Delete (every other stage)', () => {
  const t = () => (dev as Packaged).template;

  test('keeps nothing: every resource is deleted with the stack', () => {
    expect(policies(t(), 'DeletionPolicy')).toEqual([]);
    expect(policies(t(), 'UpdateReplacePolicy')).toEqual([]);
  });

  test('the analytics bucket must be empty to be deleted: it is not versioned, so the documented `aws s3 rm --recursive` before `sls remove` empties it', () => {
    const bucket = resource(t(), 'AnalyticsBucket').Properties ?? {};
    expect(at(bucket, 'VersioningConfiguration.Status')).toBeUndefined();
    expect(at(bucket, 'ObjectLockEnabled')).toBeUndefined();
    const empty = tearDown.indexOf('aws s3 rm s3://clickstream-dev-analytics --recursive');
    const remove = tearDown.indexOf('npx sls remove --stage dev');
    expect(empty).toBeGreaterThan(-1);
    expect(remove).toBeGreaterThan(empty);
  });
});

describe('nothing in the stack blocks its own deletion', () => {
  test('each custom resource is deleted before the function that answers it and its role, and answers a Delete without failing', () => {
    for (const template of [(prod as Packaged).template, (dev as Packaged).template]) {
      const custom = Object.entries(template.Resources).filter(([, r]) =>
        r.Type.startsWith('Custom::'),
      );
      // Ours (a no-op on Delete), and the framework's for the load function's `existing: true`
      // S3 events, whose Delete removes the notifications and ignores a bucket already gone.
      expect(custom.map(([id, r]) => `${id} ${r.Type}`).sort()).toEqual([
        'LoadCustomS31 Custom::S3',
        'WarehouseSchema Custom::WarehouseSchema',
      ]);
      for (const [id, r] of custom) {
        // CloudFormation deletes in reverse dependency order: what the custom resource
        // depends on still exists when its Delete is sent.
        const [provider] = at(r.Properties, 'ServiceToken.Fn::GetAtt') as [string, string];
        expect(createdBefore(template, provider, id)).toBe(true);
        const role = at(resource(template, provider).Properties, 'Role.Fn::GetAtt.0') as string;
        expect(createdBefore(template, role, id)).toBe(true);
      }
    }
  });

  test('the retained Lambda versions go with their functions, which are deleted', () => {
    for (const template of [(prod as Packaged).template, (dev as Packaged).template]) {
      const versions = Object.values(template.Resources).filter(
        (r) => r.Type === 'AWS::Lambda::Version',
      );
      expect(versions.length).toBeGreaterThan(0);
      for (const version of versions) {
        const fn = at(version.Properties, 'FunctionName.Ref') as string;
        expect(resource(template, fn).Type).toBe('AWS::Lambda::Function');
        expect(resource(template, fn).DeletionPolicy).toBeUndefined();
      }
    }
  });

  test("the framework's deployment bucket is in the stack: sls remove empties it, then deletes it with the stack", () => {
    const bucket = resource((prod as Packaged).template, 'ServerlessDeploymentBucket');
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    expect(bucket.DeletionPolicy).toBeUndefined();
    expect(tearDown).toContain('empties the deployment bucket itself');
  });
});
