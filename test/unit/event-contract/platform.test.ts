import { platformOf } from '../../../shared/event-contract/platform.ts';

describe('platform: web / ios / android / server, from the context', () => {
  test.each([
    [
      'analytics-swift (app, iOS)',
      { app: { version: '1' }, os: { name: 'iOS' }, library: { name: 'analytics-swift' } },
      'ios',
    ],
    ['an iPad app', { app: {}, os: { name: 'iPadOS' } }, 'ios'],
    [
      'analytics-kotlin (app, Android)',
      { app: { build: '3' }, os: { name: 'Android' }, library: { name: 'analytics-kotlin' } },
      'android',
    ],
    [
      'RudderStack Android, no os',
      { app: {}, library: { name: 'com.rudderstack.android.sdk.core' } },
      'android',
    ],
    ['an app that only has device.type', { app: {}, device: { type: 'ios' } }, 'ios'],
    [
      'a mobile library without context.app',
      { library: { name: 'analytics-kotlin' }, os: { name: 'Android' } },
      'android',
    ],
    [
      'a browser on an iPhone (no app)',
      { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X)', os: { name: 'iOS' } },
      'web',
    ],
    [
      'analytics.js',
      {
        userAgent: 'Mozilla/5.0',
        library: { name: 'analytics.js' },
        page: { url: 'https://s.example/' },
      },
      'web',
    ],
    ['a page context without a user agent', { page: { path: '/' } }, 'web'],
    [
      'analytics-node',
      { library: { name: '@segment/analytics-node', version: '2.1.0' } },
      'server',
    ],
    ['nothing at all', {}, 'server'],
    [
      'an app whose OS is unknown, sent from a browser',
      { app: {}, userAgent: 'Mozilla/5.0' },
      'web',
    ],
  ])('%s -> %s', (_name, context, platform) => {
    expect(platformOf(context)).toBe(platform);
  });
});
