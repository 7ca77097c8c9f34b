import { readSettings } from '../../../offline/settings.ts';
import { concurrencyPlan } from '../../../offline/concurrency/concurrency-config.ts';

describe('OFFLINE_LAMBDA_WORKERS (custom.offline.lambdaWorkers)', () => {
  test('defaults to 2 worker threads per function', () => {
    expect(readSettings({}, '/srv').lambdaWorkers).toBe(2);
    expect(readSettings({ offline: { lambdaWorkers: '2' } }, '/srv').lambdaWorkers).toBe(2);
  });

  test.each([0, -1, 1.5, 65, 'many'])('%j fails npm start with the variable named', (value) => {
    expect(() => readSettings({ offline: { lambdaWorkers: value } }, '/srv')).toThrow(
      /OFFLINE_LAMBDA_WORKERS must be a whole number from 1 to 64/,
    );
  });

  test('a ceiling below what AWS would run at once is said at start, naming the functions', () => {
    const plan = concurrencyPlan(
      [
        { key: 'ingest', name: 'svc-local-ingest' },
        { key: 'load', name: 'svc-local-load', reservedConcurrency: 10 },
        { key: 'small', name: 'svc-local-small', reservedConcurrency: 2 },
      ],
      4,
    );
    expect(plan.limits).toEqual({
      'svc-local-ingest': { workers: 4 },
      'svc-local-load': { workers: 4, reserved: 10 },
      'svc-local-small': { workers: 4, reserved: 2 },
    });
    expect(plan.notices).toEqual([
      "Lambda: at most 4 invocations of each function run at once on this machine (OFFLINE_LAMBDA_WORKERS); more wait for a free worker rather than run side by side as on AWS: ingest (AWS: up to the account's unreserved concurrency), load (reservedConcurrency 10)",
    ]);
  });
});
