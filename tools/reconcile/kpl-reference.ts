import * as agg from 'aws-kinesis-agg';

/**
 * The user records of one Kinesis record as aws-kinesis-agg (the published KPL-format
 * library, not our code) de-aggregates them, checksums verified: the reference our packing
 * and our readers are checked against. A record that is not aggregated is one user record.
 */
export function referenceDeaggregate(record: {
  partitionKey: string;
  data: Uint8Array;
  sequenceNumber?: string;
  arrivalMs?: number;
}): Array<{ partitionKey: string; data: Buffer }> {
  let users: agg.UserRecord[] = [];
  agg.deaggregateSync(
    {
      partitionKey: record.partitionKey,
      data: Buffer.from(record.data).toString('base64'),
      sequenceNumber:
        record.sequenceNumber ?? '49590338271490256608559692538361571095921575989136588898',
      kinesisSchemaVersion: '1.0',
      approximateArrivalTimestamp: (record.arrivalMs ?? 0) / 1000,
    },
    true,
    (error, out) => {
      if (error) throw error;
      users = out ?? [];
    },
  );
  return users.map((user) => ({
    partitionKey: user.partitionKey,
    data: Buffer.from(user.data, 'base64'),
  }));
}
