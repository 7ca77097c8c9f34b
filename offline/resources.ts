/** The parts of serverless.yml's CloudFormation Resources that the local stand-ins serve. */
export interface StreamSpec {
  logicalId: string;
  name: string;
  shardCount: number;
}

interface CfnResource {
  Type?: string;
  Properties?: Record<string, unknown>;
}

/** On-demand streams start with 4 shards on AWS; locally they get the same. */
const ON_DEMAND_INITIAL_SHARDS = 4;

export function kinesisStreams(
  resources: Record<string, unknown> | undefined,
  service: string,
  stage: string,
): StreamSpec[] {
  const streams: StreamSpec[] = [];
  for (const [logicalId, value] of Object.entries(resources ?? {})) {
    const resource = value as CfnResource;
    if (resource?.Type !== 'AWS::Kinesis::Stream') continue;
    const props = resource.Properties ?? {};
    const name = typeof props.Name === 'string' ? props.Name : `${service}-${stage}-${logicalId}`;
    const mode = (props.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode;
    const shardCount =
      mode === 'ON_DEMAND' ? ON_DEMAND_INITIAL_SHARDS : Number(props.ShardCount ?? 1);
    if (!Number.isInteger(shardCount) || shardCount < 1) {
      throw new Error(
        `Resources.${logicalId}.Properties.ShardCount must be a whole number of at least 1 (got ${String(props.ShardCount)})`,
      );
    }
    streams.push({ logicalId, name, shardCount });
  }
  return streams;
}
