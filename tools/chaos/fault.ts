export interface ChaosStack {
  apiUrl: string;
  kinesisEndpoint: string;
  streamName: string;
  stateDir: string;
  warehouseUrl: string;
  firehoseEndpoint: string;
  sqsEndpoint: string;
  s3Endpoint: string;
  restart(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  output(): string;
}
export interface FaultContext {
  stack: ChaosStack;
  seed: number;
  log(line: string): void;
}
export interface FaultReport {
  fault: string;
  startedAt: Date;
  durationMs: number;
  didWhat: string;
}
export interface ChaosFault {
  name: string;
  description: string;
  run(ctx: FaultContext): Promise<FaultReport>;
  afterDrain?(ctx: FaultContext): Promise<string | undefined>;
  poisonIds?(): string[];
}
