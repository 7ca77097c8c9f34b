import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import type { RedshiftDataApi } from './redshift-data-api.ts';

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
