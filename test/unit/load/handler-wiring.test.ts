import type { S3Notification } from '../../../shared/load/s3-notification.ts';
import { lambdaContext } from '../../support/api-events.ts';

/**
 * The module-scope wiring of functions/load/handler.ts, per WAREHOUSE_DIALECT. Each test
 * loads the handler (and the SDK it mocks) in a fresh module registry under its own env.
 */
const redshiftEnv = {
  WAREHOUSE_DIALECT: 'redshift',
  REDSHIFT_WORKGROUP: 'analytics',
  REDSHIFT_DATABASE: 'dev',
  REDSHIFT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:analytics-AbCdEf',
  REDSHIFT_COPY_ROLE_ARN: 'arn:aws:iam::123456789012:role/clickstream-redshift-copy',
  REDSHIFT_JSONPATHS_PREFIX: 's3://clickstream-test/jsonpaths/',
  REDSHIFT_WAIT_SECONDS: '5',
};

const event: S3Notification = {
  Records: [
    { s3: { bucket: { name: 'clickstream-test' }, object: { key: 'events/part%3D1.gz' } } },
  ],
};

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('load handler wiring', () => {
  test('redshift: one BatchExecuteStatement COPYs the notified object; nothing is downloaded', async () => {
    Object.assign(process.env, redshiftEnv);
    await jest.isolateModulesAsync(async () => {
      const { mockClient } = await import('aws-sdk-client-mock');
      const data = await import('@aws-sdk/client-redshift-data');
      const s3 = await import('@aws-sdk/client-s3');
      const redshift = mockClient(data.RedshiftDataClient);
      const objects = mockClient(s3.S3Client);
      redshift.on(data.BatchExecuteStatementCommand).resolves({ Id: 'b-1' });
      redshift.on(data.DescribeStatementCommand).resolves({ Id: 'b-1', Status: 'FINISHED' });
      const { handler } = await import('../../../functions/load/handler.ts');

      const answer = await handler(event, lambdaContext);

      const batches = redshift.commandCalls(data.BatchExecuteStatementCommand);
      expect(batches).toHaveLength(1);
      const input = batches[0]?.args[0].input;
      expect(input).toMatchObject({ WorkgroupName: 'analytics', Database: 'dev' });
      expect(input?.Sqls).toContainEqual(
        expect.stringContaining("COPY stage_rows FROM 's3://clickstream-test/events/part=1.gz'"),
      );
      expect(objects.calls()).toHaveLength(0);
      // No sub-statement wrote to `loads`: another run had loaded this key.
      expect(answer.loaded).toEqual([expect.objectContaining({ status: 'skipped' })]);
    });
  });

  test('redshift with a variable missing fails at cold start, naming it', async () => {
    Object.assign(process.env, { ...redshiftEnv, REDSHIFT_COPY_ROLE_ARN: '' });
    await jest.isolateModulesAsync(async () => {
      await expect(import('../../../functions/load/handler.ts')).rejects.toThrow(
        'REDSHIFT_COPY_ROLE_ARN',
      );
    });
  });
});
