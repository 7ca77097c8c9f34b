import { isPlainObject } from './field-spec.ts';

/**
 * Where an event was sent from, read from its context once for every consumer (the
 * warehouse's `platform` column, the real-time split):
 *  - ios / android: a mobile app: `context.app` is there (every Segment and RudderStack
 *    mobile SDK sends it) or the library is a mobile SDK; the OS name, else the library, else
 *    `context.device.type` says which;
 *  - web: a browser: a user agent or `context.page` (analytics.js, RudderStack's JS SDK);
 *  - server: neither (analytics-node, rudder-sdk-node and other server libraries send no
 *    browser context).
 */
export const PLATFORMS = ['web', 'ios', 'android', 'server'] as const;
export type Platform = (typeof PLATFORMS)[number];

const IOS = /\b(ios|ipados|iphone ?os|tvos|watchos|visionos)\b/i;
const ANDROID = /android/i;
/** analytics-swift, analytics-ios, rudder-ios-library; analytics-kotlin, analytics-android, RudderStack's Android core. */
const IOS_LIBRARY = /swift|\bios\b|-ios|ios-/i;
const ANDROID_LIBRARY = /kotlin|android/i;
const MOBILE_LIBRARY = /swift|kotlin|android|\bios\b|-ios|ios-|react-native|flutter/i;

const textAt = (value: unknown, key: string): string | undefined => {
  if (!isPlainObject(value)) return undefined;
  const field = value[key];
  return typeof field === 'string' && field.length > 0 ? field : undefined;
};

export function platformOf(context: Record<string, unknown>): Platform {
  const library = textAt(context.library, 'name');
  if (isPlainObject(context.app) || (library !== undefined && MOBILE_LIBRARY.test(library))) {
    const mobile = mobilePlatform(textAt(context.os, 'name'), library, context.device);
    if (mobile !== undefined) return mobile;
  }
  if (typeof context.userAgent === 'string' || isPlainObject(context.page)) return 'web';
  return 'server';
}

function mobilePlatform(
  os: string | undefined,
  library: string | undefined,
  device: unknown,
): Platform | undefined {
  if (os !== undefined) {
    if (ANDROID.test(os)) return 'android';
    if (IOS.test(os)) return 'ios';
  }
  if (library !== undefined) {
    if (ANDROID_LIBRARY.test(library)) return 'android';
    if (IOS_LIBRARY.test(library)) return 'ios';
  }
  const type = textAt(device, 'type');
  if (type !== undefined && ANDROID.test(type)) return 'android';
  if (type !== undefined && IOS.test(type)) return 'ios';
  return undefined;
}
