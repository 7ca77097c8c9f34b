import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server that answers the few control-plane calls the COPY role check makes,
 * in each service's documented wire format, so the real SDK clients can be pointed at it:
 * - Redshift Serverless, JSON 1.1: POST /, X-Amz-Target RedshiftServerless.<Operation>,
 *   errors as HTTP 400 with {"__type", "message"};
 * - Redshift and CloudFormation, the query protocol: a form-encoded POST with Action and
 *   Version, answered in XML (<Operation>Response/<Operation>Result), errors as
 *   <ErrorResponse><Error><Code>.
 */
export interface Namespace {
  namespaceName: string;
  /** As GetNamespace lists them: "IamRole(applyStatus=..., iamRoleArn=...)" strings. */
  iamRoles: string[];
  defaultIamRoleArn?: string;
}

export interface ApiState {
  /** workgroup name → its namespace. */
  workgroups: Record<string, Namespace>;
  /** cluster id → its roles. */
  clusters: Record<string, Array<{ arn: string; status: string }>>;
  /** stack name → its outputs. */
  stacks: Record<string, Record<string, string>>;
}

export interface RecordedCall {
  service: 'redshift-serverless' | 'redshift' | 'cloudformation';
  operation: string;
  contentType: string;
  params: Record<string, unknown>;
  authorization: string;
}

export interface RedshiftApiServer {
  endpoint: string;
  state: ApiState;
  calls: RecordedCall[];
  close(): Promise<void>;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const REDSHIFT_NS = 'http://redshift.amazonaws.com/doc/2012-12-01/';
const CFN_NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export async function startRedshiftApiServer(state: ApiState): Promise<RedshiftApiServer> {
  const calls: RecordedCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(state, calls, req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    state,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function answer(
  state: ApiState,
  calls: RecordedCall[],
  req: IncomingMessage,
  body: string,
  res: ServerResponse,
): void {
  const contentType = String(req.headers['content-type'] ?? '');
  const authorization = String(req.headers.authorization ?? '');
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const operation = target.replace(/^RedshiftServerless\./, '');
    const params = JSON.parse(body || '{}') as Record<string, string>;
    calls.push({ service: 'redshift-serverless', operation, contentType, params, authorization });
    const [status, payload] = serverless(state, operation, params);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(payload));
    return;
  }
  const form = Object.fromEntries(new URLSearchParams(body));
  const operation = form.Action ?? '';
  const service = form.Version === '2012-12-01' ? 'redshift' : 'cloudformation';
  calls.push({ service, operation, contentType, params: form, authorization });
  const [status, xml] =
    service === 'redshift' ? redshift(state, form) : cloudFormation(state, form);
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(xml);
}

function serverless(
  state: ApiState,
  operation: string,
  params: Record<string, string>,
): [number, unknown] {
  const notFound = (what: string): [number, unknown] => [
    400,
    { __type: 'ResourceNotFoundException', message: `${what} not found.` },
  ];
  if (operation === 'GetWorkgroup') {
    const name = params.workgroupName ?? '';
    const namespace = state.workgroups[name];
    if (!namespace) return notFound(`Workgroup ${name}`);
    return [
      200,
      {
        workgroup: {
          workgroupName: name,
          workgroupId: '0f6a4b8e-1c2d-4e5f-8a9b-0123456789ab',
          workgroupArn: `arn:aws:redshift-serverless:${REGION}:${ACCOUNT}:workgroup/0f6a4b8e-1c2d-4e5f-8a9b-0123456789ab`,
          namespaceName: namespace.namespaceName,
          baseCapacity: 8,
          status: 'AVAILABLE',
        },
      },
    ];
  }
  if (operation === 'GetNamespace') {
    const namespace = Object.values(state.workgroups).find(
      (n) => n.namespaceName === params.namespaceName,
    );
    if (!namespace) return notFound(`Namespace ${params.namespaceName}`);
    return [
      200,
      {
        namespace: {
          namespaceName: namespace.namespaceName,
          namespaceId: 'aa58f5ad-32a2-4178-b70a-3a474de0d7d2',
          namespaceArn: `arn:aws:redshift-serverless:${REGION}:${ACCOUNT}:namespace/aa58f5ad-32a2-4178-b70a-3a474de0d7d2`,
          dbName: 'dev',
          iamRoles: namespace.iamRoles,
          ...(namespace.defaultIamRoleArn
            ? { defaultIamRoleArn: namespace.defaultIamRoleArn }
            : {}),
          status: 'AVAILABLE',
          creationDate: '2026-01-05T10:00:00.000Z',
        },
      },
    ];
  }
  return [400, { __type: 'UnknownOperationException', message: `unknown operation ${operation}` }];
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const xmlError = (namespace: string, status: number, code: string, message: string) =>
  [
    status,
    `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>4d6c1b9e-0000-4000-8000-000000000000</RequestId></ErrorResponse>`,
  ] as [number, string];

const xmlResult = (namespace: string, operation: string, result: string): [number, string] => [
  200,
  `<?xml version="1.0" encoding="UTF-8"?><${operation}Response xmlns="${namespace}"><${operation}Result>${result}</${operation}Result><ResponseMetadata><RequestId>4d6c1b9e-0000-4000-8000-000000000001</RequestId></ResponseMetadata></${operation}Response>`,
];

function redshift(state: ApiState, form: Record<string, string>): [number, string] {
  if (form.Action !== 'DescribeClusters')
    return xmlError(REDSHIFT_NS, 400, 'InvalidAction', `unknown action ${form.Action}`);
  const id = form.ClusterIdentifier ?? '';
  const roles = state.clusters[id];
  if (!roles) return xmlError(REDSHIFT_NS, 404, 'ClusterNotFound', `Cluster ${id} not found.`);
  const iamRoles = roles
    .map(
      (r) =>
        `<ClusterIamRole><IamRoleArn>${r.arn}</IamRoleArn><ApplyStatus>${r.status}</ApplyStatus></ClusterIamRole>`,
    )
    .join('');
  return xmlResult(
    REDSHIFT_NS,
    'DescribeClusters',
    `<Clusters><Cluster><ClusterIdentifier>${id}</ClusterIdentifier><NodeType>ra3.xlplus</NodeType><ClusterStatus>available</ClusterStatus><DBName>dev</DBName><IamRoles>${iamRoles}</IamRoles><ClusterNamespaceArn>arn:aws:redshift:${REGION}:${ACCOUNT}:namespace:5f1d8c2a-0000-4000-8000-000000000000</ClusterNamespaceArn></Cluster></Clusters>`,
  );
}

function cloudFormation(state: ApiState, form: Record<string, string>): [number, string] {
  if (form.Action !== 'DescribeStacks')
    return xmlError(CFN_NS, 400, 'InvalidAction', `unknown action ${form.Action}`);
  const name = form.StackName ?? '';
  const outputs = state.stacks[name];
  if (!outputs)
    return xmlError(CFN_NS, 400, 'ValidationError', `Stack with id ${name} does not exist`);
  const members = Object.entries(outputs)
    .map(
      ([key, value]) =>
        `<member><OutputKey>${key}</OutputKey><OutputValue>${escape(value)}</OutputValue></member>`,
    )
    .join('');
  return xmlResult(
    CFN_NS,
    'DescribeStacks',
    `<Stacks><member><StackName>${name}</StackName><StackId>arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/8e2b2f10-0000-4000-8000-000000000000</StackId><CreationTime>2026-01-05T10:00:00.000Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Outputs>${members}</Outputs></member></Stacks>`,
  );
}
