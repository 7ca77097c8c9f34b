import type { DataApiTarget } from '../adapters/redshift-data-api/redshift-data-api.ts';

/** The REDSHIFT_* variables that name where a Data API statement runs, once parsed. */
export interface RedshiftTargetVariables {
  REDSHIFT_DATABASE: string;
  REDSHIFT_WORKGROUP?: string | undefined;
  REDSHIFT_CLUSTER_ID?: string | undefined;
  REDSHIFT_SECRET_ARN?: string | undefined;
  REDSHIFT_DB_USER?: string | undefined;
}

/**
 * The Data API target: a Serverless workgroup or a provisioned cluster, with a secret or a
 * database user (the schemas that parse the variables refuse any other combination).
 */
export function dataApiTarget(env: RedshiftTargetVariables): DataApiTarget {
  return {
    Database: env.REDSHIFT_DATABASE,
    ...(env.REDSHIFT_WORKGROUP
      ? { WorkgroupName: env.REDSHIFT_WORKGROUP }
      : { ClusterIdentifier: env.REDSHIFT_CLUSTER_ID }),
    ...(env.REDSHIFT_SECRET_ARN
      ? { SecretArn: env.REDSHIFT_SECRET_ARN }
      : { DbUser: env.REDSHIFT_DB_USER }),
  };
}
