import {
  AWS_RETRY_TIMING,
  scaledRetryTiming,
} from '../../../offline/async-invoke/async-invoker.ts';
import { readSettings } from '../../../offline/settings.ts';

describe('OFFLINE_ASYNC_RETRY_SECONDS (custom.offline.asyncRetrySeconds)', () => {
  test("defaults to AWS's one minute before the first retry", () => {
    expect(readSettings({}, '/srv').asyncRetrySeconds).toBe(60);
    expect(scaledRetryTiming(60)).toEqual(AWS_RETRY_TIMING);
  });

  test('a smaller value shortens every wait in proportion: function-error retries and service backoff', () => {
    expect(scaledRetryTiming(1)).toEqual({
      functionErrorDelaysMs: [1_000, 2_000],
      serviceBackoffMs: { initial: 17, max: 5_000 },
    });
  });

  test.each([0, -1, 61, 'soon'])('%j fails npm start with the variable named', (value) => {
    expect(() => readSettings({ offline: { asyncRetrySeconds: value } }, '/srv')).toThrow(
      /OFFLINE_ASYNC_RETRY_SECONDS must be more than 0 and at most 60/,
    );
  });
});
