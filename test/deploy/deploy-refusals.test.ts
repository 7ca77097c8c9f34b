import { DEPLOY_ENV, packageStage } from './support/package-stage.ts';
import { PACKAGE_TIMEOUT_MS, PROD_ENV } from './support/prod-env.ts';

/**
 * A deployed stage is refused before anything is built when an IAM policy would be left
 * without the warehouse it names (it used to fall back to "any workgroup", Resource
 * `workgroup/*`). The refusal comes from the local plugin's before:package:initialize hook,
 * so these packages fail in a second or two, before esbuild runs.
 */
const refusal = (stage: string, env: Record<string, string>): string => {
  try {
    packageStage(stage, env).cleanup();
  } catch (error: unknown) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error(`sls package --stage ${stage} succeeded`);
};

describe('sls package refuses a deployed stage whose policies would not name one warehouse', () => {
  test(
    'a workgroup without its id: the message says how to look the id up',
    () => {
      const message = refusal('prod', { ...PROD_ENV, REDSHIFT_WORKGROUP_ID: '' });
      expect(message).toContain('REDSHIFT_WORKGROUP_ID is not set');
      expect(message).toContain(
        'aws redshift-serverless get-workgroup --workgroup-name analytics --query workgroup.workgroupId --output text',
      );
    },
    PACKAGE_TIMEOUT_MS,
  );

  test(
    '"*" is not a workgroup id',
    () => {
      expect(refusal('prod', { ...PROD_ENV, REDSHIFT_WORKGROUP_ID: '*' })).toContain(
        'REDSHIFT_WORKGROUP_ID "*" is not a workgroup id',
      );
    },
    PACKAGE_TIMEOUT_MS,
  );

  test(
    'no warehouse at all, and no secret: every missing variable in one message',
    () => {
      const message = refusal('dev', { ...DEPLOY_ENV });
      expect(message).toContain('no warehouse: set REDSHIFT_WORKGROUP and REDSHIFT_WORKGROUP_ID');
      expect(message).toContain('REDSHIFT_SECRET_ARN is not set');
    },
    PACKAGE_TIMEOUT_MS,
  );

  test(
    'a workgroup and a cluster at once',
    () => {
      expect(refusal('prod', { ...PROD_ENV, REDSHIFT_CLUSTER_ID: 'analytics-cluster' })).toContain(
        'set only one of REDSHIFT_WORKGROUP and REDSHIFT_CLUSTER_ID',
      );
    },
    PACKAGE_TIMEOUT_MS,
  );
});
