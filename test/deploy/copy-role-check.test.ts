import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  checkCopyRole,
  copyRoleClients,
  existingWarehouse,
  namespaceRole,
  type CopyRoleCheck,
  type CopyRoleClients,
  type ExistingWarehouse,
} from '../../offline/copy-role-check.ts';
import { startRedshiftApiServer, type RedshiftApiServer } from './support/redshift-api-server.ts';

/**
 * The COPY role check of an existing warehouse, with the real SDK clients (Redshift
 * Serverless, Redshift, CloudFormation) talking to a loopback server that answers in each
 * API's wire format: the check reads the role's ARN from the stack output, the roles from
 * GetNamespace (through GetWorkgroup's namespaceName) or DescribeClusters, and names the exact
 * command to run when the role is missing.
 */
const ROLE = 'arn:aws:iam::123456789012:role/clickstream-prod-RedshiftCopyRole-1A2B3C4D5E6F';
const ADMIN = 'arn:aws:iam::123456789012:role/analytics-admin';
const SPECTRUM = 'arn:aws:iam::123456789012:role/analytics-spectrum';
const STACK = 'clickstream-prod';
const WORKGROUP: ExistingWarehouse = { kind: 'workgroup', workgroup: 'analytics' };
const CLUSTER: ExistingWarehouse = { kind: 'cluster', clusterId: 'analytics-cluster' };
const inSync = (arn: string) => `IamRole(applyStatus=in-sync, iamRoleArn=${arn})`;

let api: RedshiftApiServer;
let clients: CopyRoleClients;

beforeAll(async () => {
  api = await startRedshiftApiServer({ workgroups: {}, clusters: {}, stacks: {} });
  clients = copyRoleClients({
    region: 'us-east-1',
    endpoint: api.endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
});
afterAll(async () => {
  for (const client of Object.values(clients)) client.destroy();
  await api.close();
});
beforeEach(() => {
  api.state.workgroups = {
    analytics: {
      namespaceName: 'analytics-ns',
      iamRoles: [inSync(ADMIN)],
      defaultIamRoleArn: ADMIN,
    },
  };
  api.state.clusters = { 'analytics-cluster': [{ arn: ADMIN, status: 'in-sync' }] };
  api.state.stacks = { [STACK]: { RedshiftCopyRoleArn: ROLE, AnalyticsBucketName: 'b' } };
  api.calls.length = 0;
});

const check = (overrides: Partial<CopyRoleCheck> = {}) =>
  checkCopyRole({
    mode: 'auto',
    warehouse: WORKGROUP,
    stackName: STACK,
    region: 'us-east-1',
    phase: 'package',
    credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE' }),
    clients,
    ...overrides,
  });

describe('an existing Redshift Serverless workgroup (GetWorkgroup, GetNamespace: JSON 1.1)', () => {
  test('the COPY role in the namespace iamRoles: the check passes', async () => {
    api.state.workgroups.analytics?.iamRoles.push(inSync(ROLE));
    await expect(check()).resolves.toEqual({
      verdict: 'associated',
      message: `COPY role ${ROLE} is associated with Redshift Serverless workgroup analytics`,
    });
    // The role from the stack output, then the workgroup's namespace, then its roles, each
    // signed with SigV4 for its own service.
    expect(api.calls.map((c) => `${c.service} ${c.operation}`)).toEqual([
      'cloudformation DescribeStacks',
      'redshift-serverless GetWorkgroup',
      'redshift-serverless GetNamespace',
    ]);
    const [describe, getWorkgroup, getNamespace] = api.calls;
    expect(describe?.params).toMatchObject({ Action: 'DescribeStacks', Version: '2010-05-15' });
    expect(getWorkgroup?.contentType).toBe('application/x-amz-json-1.1');
    expect(getWorkgroup?.params).toEqual({ workgroupName: 'analytics' });
    expect(getNamespace?.params).toEqual({ namespaceName: 'analytics-ns' });
    expect(getNamespace?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/redshift-serverless\/aws4_request/,
    );
  });

  test('GetNamespace lists a role as "IamRole(...)" with its fields in either order, or as a bare ARN', () => {
    expect(namespaceRole(`IamRole(iamRoleArn=${ROLE}, applyStatus=adding)`)).toEqual({
      arn: ROLE,
      status: 'adding',
    });
    expect(namespaceRole(inSync(ROLE))).toEqual({ arn: ROLE, status: 'in-sync' });
    expect(namespaceRole(ROLE)).toEqual({ arn: ROLE });
  });

  test('not associated: refused with the update-namespace command that keeps the roles already there and the default', async () => {
    api.state.workgroups.analytics?.iamRoles.push(inSync(SPECTRUM));
    const outcome = await check();
    expect(outcome.verdict).toBe('refused');
    expect(outcome.message).toContain(
      `aws redshift-serverless update-namespace --region us-east-1 --namespace-name analytics-ns --iam-roles ${ADMIN} ${SPECTRUM} ${ROLE} --default-iam-role-arn ${ADMIN}\n`,
    );
    expect(outcome.message).toContain('every load would fail until');
    expect(outcome.message).toMatch(/then deploy again\.$/);
  });

  test('a namespace without roles or default: the COPY role becomes the default (update-namespace needs one with --iam-roles)', async () => {
    api.state.workgroups.analytics = { namespaceName: 'analytics-ns', iamRoles: [] };
    const outcome = await check();
    expect(outcome.message).toContain(
      `--namespace-name analytics-ns --iam-roles ${ROLE} --default-iam-role-arn ${ROLE}\n`,
    );
  });

  test('a role being removed is not associated, and the command does not re-add the other one being removed', async () => {
    api.state.workgroups.analytics?.iamRoles.push(
      `IamRole(applyStatus=removing, iamRoleArn=${ROLE})`,
      `IamRole(applyStatus=removing, iamRoleArn=${SPECTRUM})`,
    );
    const outcome = await check();
    expect(outcome.verdict).toBe('refused');
    expect(outcome.message).toContain(`--iam-roles ${ADMIN} ${ROLE} --default-iam-role-arn`);
  });

  test('an unknown workgroup: refused with the service error (ResourceNotFoundException)', async () => {
    const outcome = await check({ warehouse: { kind: 'workgroup', workgroup: 'nope' } });
    expect(outcome.verdict).toBe('refused');
    expect(outcome.message).toContain('ResourceNotFoundException: Workgroup nope not found.');
  });
});

describe('an existing provisioned cluster (DescribeClusters: query protocol, XML)', () => {
  test('the COPY role in the cluster IamRoles: the check passes', async () => {
    api.state.clusters['analytics-cluster']?.push({ arn: ROLE, status: 'in-sync' });
    await expect(check({ warehouse: CLUSTER })).resolves.toMatchObject({
      verdict: 'associated',
    });
    const describe = api.calls.find((c) => c.operation === 'DescribeClusters');
    expect(describe?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(describe?.params).toEqual({
      Action: 'DescribeClusters',
      Version: '2012-12-01',
      ClusterIdentifier: 'analytics-cluster',
    });
  });

  test('not associated: refused with modify-cluster-iam-roles --add-iam-roles (which adds, not replaces)', async () => {
    const outcome = await check({ warehouse: CLUSTER });
    expect(outcome.verdict).toBe('refused');
    expect(outcome.message).toContain(
      `aws redshift modify-cluster-iam-roles --region us-east-1 --cluster-identifier analytics-cluster --add-iam-roles ${ROLE}\n`,
    );
  });

  test('an unknown cluster: refused with the service error (ClusterNotFound)', async () => {
    const outcome = await check({ warehouse: { kind: 'cluster', clusterId: 'gone' } });
    expect(outcome.message).toContain('Cluster gone not found.');
  });
});

describe('the first deploy: the role exists only once the stack does', () => {
  test('before packaging a stack that does not exist yet (DescribeStacks ValidationError): checked after the deploy', async () => {
    api.state.stacks = {};
    const outcome = await check();
    expect(outcome.verdict).toBe('after-deploy');
    expect(outcome.message).toContain('stack clickstream-prod does not exist yet');
    expect(api.calls.map((c) => c.operation)).toEqual(['DescribeStacks']);
  });

  test('after the deploy: the command names the role from the stack output', async () => {
    const outcome = await check({ phase: 'deploy', warehouse: CLUSTER });
    expect(outcome.verdict).toBe('refused');
    expect(outcome.message).toContain(
      'The stack clickstream-prod is deployed, but every load will fail until',
    );
    expect(outcome.message).toContain(`--add-iam-roles ${ROLE}`);
    expect(outcome.message).toContain('No deploy is needed after it');
  });

  test('after the deploy, a stack without the output cannot be checked: refused', async () => {
    api.state.stacks = { [STACK]: {} };
    await expect(check({ phase: 'deploy' })).resolves.toMatchObject({ verdict: 'refused' });
  });
});

describe('no AWS credentials (an offline package, CI)', () => {
  const noCredentials = async () => {
    // What the SDK's default chain rejects with when it finds nothing.
    throw Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
  };

  test('auto: warns that the check was skipped and why, and calls nothing', async () => {
    const outcome = await check({ credentials: noCredentials });
    expect(outcome.verdict).toBe('skipped');
    expect(outcome.message).toContain(
      'COPY role check skipped: no AWS credentials (CredentialsProviderError: Could not load credentials from any providers)',
    );
    expect(outcome.message).toContain('COPY_ROLE_CHECK=required');
    expect(api.calls).toEqual([]);
  });

  test('COPY_ROLE_CHECK=required: refused', async () => {
    const outcome = await check({ credentials: noCredentials, mode: 'required' });
    expect(outcome.verdict).toBe('refused');
    expect(outcome.message).toContain('COPY_ROLE_CHECK=required');
  });

  test('COPY_ROLE_CHECK=off: skipped without a call, saying so', async () => {
    const outcome = await check({ mode: 'off' });
    expect(outcome).toMatchObject({ verdict: 'skipped' });
    expect(api.calls).toEqual([]);
  });
});

describe('which warehouse is checked', () => {
  test('only an existing one: a created namespace gets the role from the template, postgres needs none', () => {
    expect(existingWarehouse({ workgroup: 'analytics' })).toEqual(WORKGROUP);
    expect(existingWarehouse({ clusterId: 'analytics-cluster' })).toEqual(CLUSTER);
    expect(existingWarehouse({ createRedshift: 'true', workgroup: 'x' })).toBeUndefined();
    expect(existingWarehouse({ warehouseDialect: 'postgres', workgroup: 'x' })).toBeUndefined();
  });
});
