/**
 * HTTP header names are case-insensitive; API Gateway passes them as the client sent them
 * (payload 2.0 lower-cases them; payload 1.0 and some local emulators do not). The use cases
 * read lower-case names only.
 */
export function lowerCaseHeaders(
  headers: Record<string, string | undefined> | undefined,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (headers === undefined) return out;
  // for...in rather than Object.entries: no pair arrays for every header of every request.
  for (const name in headers) {
    if (Object.hasOwn(headers, name)) out[name.toLowerCase()] = headers[name];
  }
  return out;
}
