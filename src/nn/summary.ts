/**
 * A text table of a model's layers and parameter counts.
 */
import { fmt } from '../tensor/shape.js';
import type { Module } from './module.js';

/** One row of {@link summaryRows}. */
export interface SummaryRow {
  /** Dotted module name ('' for the root). */
  readonly name: string;
  readonly type: string;
  /** Hyperparameters as the module describes them. */
  readonly detail: string;
  /** Parameters held directly by this module. */
  readonly params: number;
  /** `weight [512,1]`, ... */
  readonly shapes: string;
}

/**
 * The rows of {@link summary}: every module in the tree with its own parameter count.
 * @example const convs = summaryRows(D).filter((r) => r.type === 'Conv2d');
 */
export function summaryRows(module: Module): SummaryRow[] {
  return module.namedModules().map(([name, m]) => {
    const own = m.ownParameters();
    return {
      name,
      type: m.typeName(),
      detail: m.extraRepr(),
      params: own.reduce((n, [, p]) => n + p.size, 0),
      shapes: own.map(([k, p]) => `${k} ${fmt(p.shape)}`).join(', '),
    };
  });
}

const group = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * Lists the layers of a model with their parameter counts and the total, as text.
 * @example console.log(summary(critic));
 */
export function summary(module: Module): string {
  const rows = summaryRows(module);
  const cells = rows.map((r) => [r.name || '(root)', `${r.type}${r.detail ? `(${r.detail})` : ''}`, group(r.params), r.shapes]);
  const header = ['layer', 'type', 'params', 'shapes'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string =>
    c.map((s, i) => (i === 2 ? s.padStart(widths[i]!) : s.padEnd(widths[i]!))).join('  ').trimEnd();
  const total = rows.reduce((n, r) => n + r.params, 0);
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), `total: ${group(total)} parameters`].join('\n');
}
