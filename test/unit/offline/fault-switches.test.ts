import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  faultsFile,
  holdFrom,
  parseFaultSwitches,
  watchFaultSwitches,
  writeFaultSwitches,
  type FaultSwitches,
} from '../../../offline/faults/fault-switches.ts';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fault-switches-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not within 5 s');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('fault switches (faults.json in the stack state folder)', () => {
  test('no file means no fault', () => {
    const reader = watchFaultSwitches(dir, () => undefined, 20);
    expect(reader.current()).toEqual({});
    reader.close();
  });

  test('a running reader sees switches written later, and sees them cleared', async () => {
    const reader = watchFaultSwitches(dir, () => undefined, 20);
    const seen: FaultSwitches[] = [];
    reader.onChange((s) => seen.push(s));
    writeFaultSwitches(dir, {
      kinesisThrottleRate: 0.3,
      invoke: { aggregate: { mode: 'error', whenEventContains: 'chaos-', times: 3 } },
    });
    await until(() => reader.current().kinesisThrottleRate === 0.3);
    expect(reader.current().invoke?.aggregate).toEqual({
      mode: 'error',
      whenEventContains: 'chaos-',
      times: 3,
    });
    writeFaultSwitches(dir, {});
    await until(() => reader.current().kinesisThrottleRate === undefined);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    reader.close();
  });

  test('a file that is not valid switches is refused with its reason and changes nothing', async () => {
    const warnings: string[] = [];
    writeFaultSwitches(dir, { firehoseUnavailableRate: 0.2 });
    const reader = watchFaultSwitches(dir, (m) => warnings.push(m), 20);
    writeFileSync(faultsFile(dir), JSON.stringify({ kinesisThrottleRate: 2 }));
    await until(() => warnings.length > 0);
    expect(warnings[0]).toMatch(/kinesisThrottleRate/);
    expect(reader.current()).toEqual({ firehoseUnavailableRate: 0.2 });
    reader.close();
  });

  test('unknown switches are refused, not ignored', () => {
    expect(() => parseFaultSwitches('{"throttle": 0.3}')).toThrow(/throttle|Unrecognized/);
    expect(() => parseFaultSwitches('{"invoke": {"aggregate": {"mode": "explode"}}}')).toThrow(
      /mode/,
    );
  });

  test('a hold waits its ms where its detail matches, says so, and is spent after `times`', async () => {
    let switches: FaultSwitches = {
      hold: { firehoseS3Write: { ms: 50, times: 1, whenDetailContains: '/metrics/' } },
    };
    const said: string[] = [];
    const hold = holdFrom({ current: () => switches }, (line) => said.push(line));
    const timed = async (detail: string) => {
      const started = Date.now();
      await hold('firehoseS3Write', detail);
      return Date.now() - started;
    };
    expect(await timed('s3://b/events/x')).toBeLessThan(40);
    expect(await timed('s3://b/metrics/x')).toBeGreaterThanOrEqual(45);
    expect(await timed('s3://b/metrics/y')).toBeLessThan(40); // spent
    expect(said).toEqual(['fault: holding firehoseS3Write for 50 ms (s3://b/metrics/x)']);
    // A new hold (faults.json rewritten) counts again; another point is not held.
    switches = { hold: { firehoseS3Write: { ms: 50, times: 1 } } };
    expect(await timed('s3://b/events/x')).toBeGreaterThanOrEqual(45);
    expect(await timed('anything')).toBeLessThan(40);
    await hold('warehouseLoadCommit', 'x');
    expect(said).toHaveLength(2);
  });

  test('hold points outside the known ones are refused', () => {
    expect(() => parseFaultSwitches('{"hold":{"somewhere":{"ms":10}}}')).toThrow();
    expect(() => parseFaultSwitches('{"hold":{"firehoseS3Write":{"ms":0}}}')).toThrow(/ms/);
  });
});
