import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeClustersCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import {
  GetNamespaceCommand,
  GetWorkgroupCommand,
  RedshiftServerlessClient,
} from '@aws-sdk/client-redshift-serverless';
import type { CopyRoleCheckMode, DeployChecks } from './deploy-checks.ts';

/**
 * COPY reads the bucket as the stack's RedshiftCopyRole, which Redshift may assume only once
 * the role is associated with the namespace (Serverless) or cluster. A namespace the stack
 * creates gets it from the template; an existing warehouse is someone else's resource, so the
 * deploy checks it, before packaging and again after the deploy (the role exists only once
 * the stack does), and names the exact command when it is missing.
 */
export type ExistingWarehouse =
  { kind: 'workgroup'; workgroup: string } | { kind: 'cluster'; clusterId: string };

/** The stack output that carries the role's ARN (serverless.yml, Outputs). */
export const COPY_ROLE_OUTPUT = 'RedshiftCopyRoleArn';

/** The warehouse to check, or undefined when the stack creates it or it is not Redshift. */
export function existingWarehouse(checks: DeployChecks): ExistingWarehouse | undefined {
  if (checks.warehouseDialect === 'postgres' || checks.createRedshift === 'true') return undefined;
  if (checks.clusterId?.trim()) return { kind: 'cluster', clusterId: checks.clusterId.trim() };
  if (checks.workgroup?.trim()) return { kind: 'workgroup', workgroup: checks.workgroup.trim() };
  return undefined;
}

export interface CopyRoleClients {
  serverless: RedshiftServerlessClient;
  redshift: RedshiftClient;
  cloudFormation: CloudFormationClient;
}

/** Clients built from the framework's own config (its credentials, region, proxy settings). */
export function copyRoleClients(config: object): CopyRoleClients {
  return {
    serverless: new RedshiftServerlessClient(config),
    redshift: new RedshiftClient(config),
    cloudFormation: new CloudFormationClient(config),
  };
}

export interface CopyRoleCheck {
  mode: CopyRoleCheckMode;
  warehouse: ExistingWarehouse;
  stackName: string;
  region: string;
  /** Before packaging, or after the stack was deployed. */
  phase: 'package' | 'deploy';
  /** The deployer's credentials provider; rejects when there are none. */
  credentials: () => Promise<unknown>;
  clients: CopyRoleClients;
}

export type CopyRoleOutcome =
  | { verdict: 'associated' | 'skipped' | 'after-deploy'; message: string }
  | { verdict: 'refused'; message: string };

const FORCE =
  'set COPY_ROLE_CHECK=required to make an unchecked association fail the package, or COPY_ROLE_CHECK=off to silence this';

export async function checkCopyRole(check: CopyRoleCheck): Promise<CopyRoleOutcome> {
  const where = describe(check.warehouse);
  if (check.mode === 'off')
    return {
      verdict: 'skipped',
      message: `COPY role check off (COPY_ROLE_CHECK=off): make sure the stack output ${COPY_ROLE_OUTPUT} is associated with ${where} (docs/deploy.md)`,
    };
  try {
    await check.credentials();
  } catch (error) {
    const why = `no AWS credentials (${reason(error)})`;
    return check.mode === 'required'
      ? {
          verdict: 'refused',
          message: `COPY_ROLE_CHECK=required, but the COPY role's association with ${where} cannot be checked: ${why}`,
        }
      : {
          verdict: 'skipped',
          message: `COPY role check skipped: ${why}, so whether ${where} can assume the stack's COPY role was not checked. "sls deploy" (which has credentials) checks it again once the stack is deployed; ${FORCE}`,
        };
  }
  try {
    const roleArn = await copyRoleArnFromStack(check.clients.cloudFormation, check.stackName);
    if (roleArn === undefined)
      return check.phase === 'package'
        ? {
            verdict: 'after-deploy',
            message: `stack ${check.stackName} does not exist yet: its COPY role is created by this deploy, and checked against ${where} once the deploy is done`,
          }
        : {
            verdict: 'refused',
            message: `stack ${check.stackName} has no output ${COPY_ROLE_OUTPUT}: the COPY role cannot be checked against ${where}`,
          };
    const state = await associatedRoles(check.clients, check.warehouse);
    if (state.arns.includes(roleArn))
      return { verdict: 'associated', message: `COPY role ${roleArn} is associated with ${where}` };
    const command = associateCommand(check.warehouse, state, roleArn, check.region);
    const [preface, then] =
      check.phase === 'deploy'
        ? [
            `The stack ${check.stackName} is deployed, but every load will fail until`,
            'No deploy is needed after it: the next load assumes the role.',
          ]
        : [
            `${where} cannot assume the COPY role yet, so every load would fail until`,
            'then deploy again.',
          ];
    return {
      verdict: 'refused',
      message: `${preface} its COPY role ${roleArn} is associated with ${where}. Run:\n  ${command}\n${then}`,
    };
  } catch (error) {
    const needs =
      check.warehouse.kind === 'workgroup'
        ? 'redshift-serverless:GetWorkgroup and redshift-serverless:GetNamespace'
        : 'redshift:DescribeClusters';
    return {
      verdict: 'refused',
      message: `COPY role check failed on ${where}: ${reason(error)}. The deployer needs cloudformation:DescribeStacks and ${needs} (or set COPY_ROLE_CHECK=off to skip the check)`,
    };
  }
}

/** The role's ARN from the stack's outputs; undefined when the stack does not exist yet. */
export async function copyRoleArnFromStack(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<string | undefined> {
  try {
    const { Stacks } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    return Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === COPY_ROLE_OUTPUT)?.OutputValue;
  } catch (error) {
    // CloudFormation answers an unknown stack with a ValidationError, not a NotFound.
    if (
      error instanceof Error &&
      error.name === 'ValidationError' &&
      /does not exist/.test(error.message)
    )
      return undefined;
    throw error;
  }
}

export interface AssociatedRoles {
  /** Roles Redshift can assume (or is about to): in-sync or being added, not being removed. */
  arns: string[];
  namespace?: string;
  defaultRoleArn?: string;
}

export async function associatedRoles(
  clients: CopyRoleClients,
  warehouse: ExistingWarehouse,
): Promise<AssociatedRoles> {
  if (warehouse.kind === 'cluster') {
    const { Clusters } = await clients.redshift.send(
      new DescribeClustersCommand({ ClusterIdentifier: warehouse.clusterId }),
    );
    const roles = (Clusters?.[0]?.IamRoles ?? []).filter((r) => r.IamRoleArn !== undefined);
    return {
      arns: roles.filter((r) => r.ApplyStatus !== 'removing').map((r) => r.IamRoleArn as string),
    };
  }
  const { workgroup } = await clients.serverless.send(
    new GetWorkgroupCommand({ workgroupName: warehouse.workgroup }),
  );
  const namespaceName = workgroup?.namespaceName;
  if (!namespaceName) throw new Error(`workgroup ${warehouse.workgroup} has no namespace`);
  const { namespace } = await clients.serverless.send(new GetNamespaceCommand({ namespaceName }));
  const roles = (namespace?.iamRoles ?? []).map(namespaceRole);
  return {
    arns: roles.filter((r) => r.status !== 'removing').map((r) => r.arn),
    namespace: namespaceName,
    ...(namespace?.defaultIamRoleArn ? { defaultRoleArn: namespace.defaultIamRoleArn } : {}),
  };
}

/**
 * GetNamespace lists iamRoles as strings: a bare ARN, or (as the service answers today)
 * "IamRole(applyStatus=in-sync, iamRoleArn=arn:...)", its fields in either order.
 */
export function namespaceRole(entry: string): { arn: string; status?: string } {
  const arn = /iamRoleArn=([^,)\s]+)/.exec(entry)?.[1] ?? entry.trim();
  const status = /applyStatus=([^,)\s]+)/.exec(entry)?.[1];
  return status ? { arn, status } : { arn };
}

/**
 * What to run. update-namespace's --iam-roles REPLACES the list and must come with
 * --default-iam-role-arn: keep every role there (but one being removed) and the current default (or make ours the
 * default when there is none). modify-cluster-iam-roles --add-iam-roles only adds.
 */
export function associateCommand(
  warehouse: ExistingWarehouse,
  roles: AssociatedRoles,
  roleArn: string,
  region: string,
): string {
  if (warehouse.kind === 'cluster')
    return `aws redshift modify-cluster-iam-roles --region ${region} --cluster-identifier ${warehouse.clusterId} --add-iam-roles ${roleArn}`;
  const keep = [...new Set([...roles.arns, roleArn])];
  return `aws redshift-serverless update-namespace --region ${region} --namespace-name ${roles.namespace ?? ''} --iam-roles ${keep.join(' ')} --default-iam-role-arn ${roles.defaultRoleArn ?? roleArn}`;
}

function describe(warehouse: ExistingWarehouse): string {
  return warehouse.kind === 'cluster'
    ? `Redshift cluster ${warehouse.clusterId}`
    : `Redshift Serverless workgroup ${warehouse.workgroup}`;
}

function reason(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
