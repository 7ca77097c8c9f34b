import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { connectWarehouse } from './warehouse/client.ts';
import { postgres } from '../shared/warehouse-schema/dialect.ts';
import { migrate } from '../shared/warehouse-schema/migrations.ts';
import { PostgresWarehouse } from '../shared/adapters/postgres/postgres-warehouse.ts';

/** The same versioned migrations a real warehouse gets from `npm run migrate`. */
export async function migrateWarehouse(
  url: string,
  log: { info(message: string): void },
): Promise<void> {
  const client = connectWarehouse(url);
  try {
    const result = await migrate(
      new PostgresWarehouse(client.pool, { staging: 'insert' }),
      postgres,
    );
    if (result.applied.length > 0) log.info(`warehouse migrated: ${result.applied.join(', ')}`);
  } finally {
    await client.pool.end();
  }
}

/** serverless.yml's buckets, keeping those an earlier run made. */
export async function createBuckets(s3: S3Client, buckets: readonly string[]): Promise<void> {
  for (const bucket of buckets) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: unknown) => {
      if (!(error instanceof Error && /BucketAlready(OwnedByYou|Exists)/.test(error.name)))
        throw error;
    });
  }
}
