import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { awsClientConfig, type AwsEndpointConfig } from '../../runtime/aws-client-config.ts';
import type { RedshiftDataApi } from './redshift-data-api.ts';

/**
 * The Data API client every function uses. SDK retries here (up to 3 attempts, unlike
 * awsClientConfig's default of 1): the polling client has no retry of its own, and a
 * throttled DescribeStatement should not redo a whole COPY. A resubmitted statement is
 * harmless: a load LOCKs `loads` and finds its key there; a read is a read.
 */
export function createRedshiftDataClient(config: AwsEndpointConfig): RedshiftDataClient {
  return new RedshiftDataClient({ ...awsClientConfig(config), maxAttempts: 3 });
}

/**
 * The RedshiftDataApi port over the AWS SDK's RedshiftDataClient: one command per method.
 * The client is injected (built once at module scope, with awsClientConfig) so tests mock
 * it with aws-sdk-client-mock and an endpoint override needs no change here. Polling,
 * sessions and errors live in RedshiftDataApiClient; this adapter only translates.
 */
export function redshiftDataApi(client: RedshiftDataClient): RedshiftDataApi {
  return {
    executeStatement: (input) => client.send(new ExecuteStatementCommand(input)),
    batchExecuteStatement: (input) => client.send(new BatchExecuteStatementCommand(input)),
    describeStatement: (input) => client.send(new DescribeStatementCommand(input)),
    async getStatementResult(input) {
      const page = await client.send(new GetStatementResultCommand(input));
      // A blob (VARBYTE) cell has no counterpart in the port; base64 keeps it a string
      // instead of silently turning into null.
      const records = page.Records?.map((record) =>
        record.map((field) =>
          field.blobValue === undefined
            ? field
            : { stringValue: Buffer.from(field.blobValue).toString('base64') },
        ),
      );
      return { ...page, Records: records };
    },
  };
}
