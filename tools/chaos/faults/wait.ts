/** Small helpers the faults share: waiting, and reading what the stack logged meanwhile. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How often `pattern` occurs in the stack's log after `from` (a length of output()). */
export function countSince(output: string, from: number, pattern: RegExp): number {
  const global = new RegExp(
    pattern.source,
    pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
  );
  return [...output.slice(from).matchAll(global)].length;
}

/** The first capture of `pattern` in the log after `from`, as a number (0 when absent). */
export function numberSince(output: string, from: number, pattern: RegExp): number {
  const match = pattern.exec(output.slice(from));
  return match?.[1] ? Number(match[1]) : 0;
}
