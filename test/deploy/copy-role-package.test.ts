import { OfflinePlatformPlugin } from '../../offline/serverless-plugin.ts';
import { packageStage, packageStageAsync } from './support/package-stage.ts';
import { PACKAGE_TIMEOUT_MS, PROD_ENV } from './support/prod-env.ts';
import { startRedshiftApiServer, type RedshiftApiServer } from './support/redshift-api-server.ts';

/**
 * The COPY role check as `sls package` / `sls deploy` run it: the local plugin's
 * before:package:initialize hook with the framework's own credentials (here from
 * AWS_ACCESS_KEY_ID, as a deployer's shell has them) and every SDK endpoint pointed at a
 * loopback server (AWS_ENDPOINT_URL, which the SDK honours), and its after:deploy:deploy hook.
 * Refusals come before esbuild runs, so these packages take a second or two.
 */
const ROLE = 'arn:aws:iam::123456789012:role/clickstream-prod-RedshiftCopyRole-1A2B3C4D5E6F';
const ADMIN = 'arn:aws:iam::123456789012:role/analytics-admin';

let api: RedshiftApiServer;
beforeAll(async () => {
  api = await startRedshiftApiServer({
    workgroups: {
      analytics: {
        namespaceName: 'analytics-ns',
        iamRoles: [`IamRole(applyStatus=in-sync, iamRoleArn=${ADMIN})`],
        defaultIamRoleArn: ADMIN,
      },
    },
    clusters: {},
    stacks: { 'clickstream-prod': { RedshiftCopyRoleArn: ROLE } },
  });
});
afterAll(() => api.close());

const failure = async (run: () => Promise<unknown>): Promise<string> => {
  try {
    await run();
  } catch (error: unknown) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('sls package succeeded');
};

describe('sls package checks that an existing workgroup can assume the COPY role', () => {
  test(
    'with credentials, a role not associated: refused with the exact update-namespace command',
    async () => {
      const message = await failure(() =>
        packageStageAsync('prod', {
          ...PROD_ENV,
          AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'secret',
          // Every SDK client of the process, the framework's included: only loopback.
          AWS_ENDPOINT_URL: api.endpoint,
        }),
      );
      expect(message).toContain(
        `aws redshift-serverless update-namespace --region us-east-1 --namespace-name analytics-ns --iam-roles ${ADMIN} ${ROLE} --default-iam-role-arn ${ADMIN}`,
      );
      expect(api.calls.map((c) => c.operation)).toEqual([
        'DescribeStacks',
        'GetWorkgroup',
        'GetNamespace',
      ]);
    },
    PACKAGE_TIMEOUT_MS,
  );

  test(
    'without credentials and COPY_ROLE_CHECK=required: refused',
    () => {
      const message = (() => {
        try {
          packageStage('prod', { ...PROD_ENV, COPY_ROLE_CHECK: 'required' }).cleanup();
        } catch (error: unknown) {
          return error instanceof Error ? error.message : String(error);
        }
        throw new Error('sls package succeeded');
      })();
      expect(message).toContain(
        "COPY_ROLE_CHECK=required, but the COPY role's association with Redshift Serverless workgroup analytics cannot be checked: no AWS credentials",
      );
    },
    PACKAGE_TIMEOUT_MS,
  );

  test(
    'a COPY_ROLE_CHECK that is not auto, required or off: refused',
    async () => {
      const message = await failure(() =>
        packageStageAsync('prod', { ...PROD_ENV, COPY_ROLE_CHECK: 'yes' }),
      );
      expect(message).toContain('COPY_ROLE_CHECK "yes" is not one of auto, required, off');
    },
    PACKAGE_TIMEOUT_MS,
  );
});

describe('sls deploy checks it again once the stack, and so the role, exists', () => {
  test('after:deploy:deploy refuses with the role from the stack output', async () => {
    const notices: string[] = [];
    const plugin = new OfflinePlatformPlugin(
      {
        service: {
          service: 'clickstream',
          provider: { stage: 'prod', region: 'us-east-1' },
          custom: { deployChecks: { workgroup: 'analytics', copyRoleCheck: 'auto' } },
          getAllFunctions: () => [],
          getFunction: () => ({}),
        },
        config: { servicePath: process.cwd() },
        getProvider: () => ({
          naming: { getLambdaLogicalId: (name) => name, getStackName: () => 'clickstream-prod' },
          getRegion: () => 'us-east-1',
          getAwsSdkV3Config: async () => ({
            region: 'us-east-1',
            endpoint: api.endpoint,
            credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
          }),
        }),
        classes: { Error },
      },
      {},
      {
        log: {
          notice: (m) => notices.push(m),
          info: (m) => notices.push(m),
          warning: (m) => notices.push(m),
          error: (m) => notices.push(m),
        },
      },
    );
    const hook = plugin.hooks['after:deploy:deploy'];
    if (!hook) throw new Error('no after:deploy:deploy hook');
    await expect(hook()).rejects.toThrow(
      `The stack clickstream-prod is deployed, but every load will fail until its COPY role ${ROLE} is associated with Redshift Serverless workgroup analytics`,
    );
    // Once associated, the same hook passes and says so.
    api.state.workgroups.analytics?.iamRoles.push(
      `IamRole(applyStatus=in-sync, iamRoleArn=${ROLE})`,
    );
    await hook();
    expect(notices).toEqual([
      `COPY role ${ROLE} is associated with Redshift Serverless workgroup analytics`,
    ]);
  });
});
