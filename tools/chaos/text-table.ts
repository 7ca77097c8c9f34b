/** A plain-text table: columns padded to their widest cell, long cells wrapped at `wrap`. */
export function table(headers: string[], rows: string[][], wrap = 90): string {
  const wrapped = rows.flatMap((row) => {
    const parts = row.map((cell) => chunk(cell, wrap));
    const height = Math.max(...parts.map((p) => p.length));
    return Array.from({ length: height }, (_, i) => parts.map((p) => p[i] ?? ''));
  });
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...wrapped.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join(' | ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('-|-'), ...wrapped.map(line)].join(
    '\n',
  );
}

function chunk(text: string, width: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    const at = cut > width / 2 ? cut : width;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
  }
  out.push(rest);
  return out;
}
