/**
 * What a V8 heap snapshot holds, by constructor (or node type for strings, code, arrays):
 * self size summed, largest first. Enough to say where a thread's heap is, without DevTools.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export function heapByConstructor(file: string, top = 8): { name: string; bytes: number }[] {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const totals = new Map<string, number>();
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt] ?? 0] ?? '?';
    const name =
      type === 'object' ? (heap.strings[heap.nodes[i + nameAt] ?? 0] ?? '?') : `(${type})`;
    totals.set(name, (totals.get(name) ?? 0) + (heap.nodes[i + sizeAt] ?? 0));
  }
  return [...totals.entries()]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}
