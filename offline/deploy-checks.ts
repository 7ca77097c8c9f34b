/**
 * What a deployed stage needs before `sls package` may build it: the Redshift identifiers
 * the IAM policies name. Without them a policy would fall back to a wildcard (any workgroup
 * of the account) or to an ARN that names nothing, and the loads would fail only once data
 * arrives. Read from serverless.yml's `custom.deployChecks`, i.e. the resolved parameters.
 */
export interface DeployChecks {
  warehouseDialect?: string;
  warehouseUrl?: string;
  createRedshift?: string;
  workgroup?: string;
  workgroupId?: string;
  clusterId?: string;
  secretArn?: string;
  dbUser?: string;
  /** COPY_ROLE_CHECK: whether an existing warehouse's COPY role association is checked. */
  copyRoleCheck?: CopyRoleCheckMode;
}

/**
 * COPY_ROLE_CHECK: whether packaging checks that an existing warehouse can assume the COPY
 * role (copy-role-check.ts): when AWS credentials are available, always, or never.
 */
export const COPY_ROLE_CHECK_MODES = ['auto', 'required', 'off'] as const;
export type CopyRoleCheckMode = (typeof COPY_ROLE_CHECK_MODES)[number];

/** A Redshift Serverless workgroup id, as GetWorkgroup answers it (workgroup.workgroupId). */
const WORKGROUP_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const set = (value: string | undefined): value is string =>
  value !== undefined && value.trim() !== '';

/** Every problem at once, each saying which variable to set and how to find its value. */
export function deployProblems(checks: DeployChecks): string[] {
  if (checks.warehouseDialect === 'postgres')
    return set(checks.warehouseUrl)
      ? []
      : ['WAREHOUSE_URL is not set: the postgres:// URL of the warehouse the load function writes'];
  if (checks.createRedshift === 'true') return [];
  const problems: string[] = [];
  const mode = checks.copyRoleCheck ?? 'auto';
  if (!(COPY_ROLE_CHECK_MODES as readonly string[]).includes(mode))
    problems.push(
      `COPY_ROLE_CHECK "${mode}" is not one of ${COPY_ROLE_CHECK_MODES.join(', ')}: whether packaging checks that the warehouse can assume the COPY role`,
    );
  const { workgroup, workgroupId, clusterId } = checks;
  if (!set(workgroup) && !set(clusterId))
    problems.push(
      'no warehouse: set REDSHIFT_WORKGROUP and REDSHIFT_WORKGROUP_ID (an existing Redshift Serverless workgroup), or REDSHIFT_CLUSTER_ID (a provisioned cluster), or CREATE_REDSHIFT=true to create one in the stack',
    );
  if (set(workgroup) && set(clusterId))
    problems.push('set only one of REDSHIFT_WORKGROUP and REDSHIFT_CLUSTER_ID');
  if (set(workgroup) && !set(clusterId) && !WORKGROUP_ID.test(workgroupId ?? ''))
    problems.push(
      `REDSHIFT_WORKGROUP_ID ${set(workgroupId) ? `"${workgroupId}" is not a workgroup id` : 'is not set'}: the IAM policies name the workgroup by its id, never "*". Set it with: export REDSHIFT_WORKGROUP_ID=$(aws redshift-serverless get-workgroup --workgroup-name ${workgroup} --query workgroup.workgroupId --output text)`,
    );
  if (!set(checks.secretArn) && !set(checks.dbUser))
    problems.push(
      'REDSHIFT_SECRET_ARN is not set: the Secrets Manager secret with the database username and password (or REDSHIFT_DB_USER with REDSHIFT_CLUSTER_ID)',
    );
  if (set(checks.dbUser) && !set(clusterId))
    problems.push(
      'REDSHIFT_DB_USER works only with REDSHIFT_CLUSTER_ID; a workgroup needs REDSHIFT_SECRET_ARN',
    );
  return problems;
}
