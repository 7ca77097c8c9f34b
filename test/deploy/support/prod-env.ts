import { DEPLOY_ENV } from './package-stage.ts';

/** The prod stage as a deployer packages it against an existing Redshift Serverless workgroup. */
export const PROD_WORKGROUP_ID = '0f6a4b8e-1c2d-4e5f-8a9b-0123456789ab';
export const PROD_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:clickstream/redshift-AbCdEf';
export const PROD_READ_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:clickstream/redshift-reader-GhIjKl';

export const PROD_ENV = {
  ...DEPLOY_ENV,
  REDSHIFT_WORKGROUP: 'analytics',
  REDSHIFT_WORKGROUP_ID: PROD_WORKGROUP_ID,
  REDSHIFT_DATABASE: 'analytics',
  REDSHIFT_SECRET_ARN: PROD_SECRET_ARN,
  REDSHIFT_READ_SECRET_ARN: PROD_READ_SECRET_ARN,
  CREATE_REDSHIFT: 'false',
  ALARM_EMAIL: '',
};

/** Generous: esbuild bundles five functions; it takes a few seconds on an idle machine. */
export const PACKAGE_TIMEOUT_MS = 180_000;
