/**
 * Operation values in words, for the hover details and the anomaly tables. Pure. read-set outputs
 * can hold thousands of elements, so they are summarized (how many, and whether the anomaly's
 * element is among them) rather than printed.
 */

import type { Operation } from '../history/types.ts';
import { clip } from './compact.ts';

const SHORT = 24;
const LIST_SHOWN = 6;

/** A few characters for the timeline's hover details: "e12", "v3→v4", "41 elements". */
export function shortValue(op: Operation): string {
  switch (op.f) {
    case 'add':
    case 'write':
      return typeof op.input === 'string' ? clip(op.input, SHORT) : '';
    case 'cas':
      return Array.isArray(op.input) ? clip(`${op.input[0] ?? 'absent'}→${op.input[1] ?? ''}`, SHORT) : '';
    case 'read':
      if (op.outcome !== 'ok') return '';
      return typeof op.output === 'string' ? clip(op.output, SHORT) : 'absent';
    case 'read-set':
      return op.outcome === 'ok' && Array.isArray(op.output) ? plural(op.output.length, 'element') : '';
  }
}

/** The value column of an anomaly's table. */
export function rowValue(op: Operation, element: string | null): string {
  switch (op.f) {
    case 'add':
    case 'write':
      return typeof op.input === 'string' ? quote(op.input) : '—';
    case 'cas':
      return Array.isArray(op.input) ? `${quoteOrAbsent(op.input[0] ?? null)} → ${quoteOrAbsent(op.input[1] ?? null)}` : '—';
    case 'read':
      if (op.outcome !== 'ok') return '—';
      return quoteOrAbsent(typeof op.output === 'string' ? op.output : null);
    case 'read-set': {
      if (op.outcome !== 'ok' || !Array.isArray(op.output)) return '—';
      const elements = op.output;
      const count = plural(elements.length, 'element');
      if (element !== null) return `${count}; ${quote(element)} ${elements.includes(element) ? 'present' : 'absent'}`;
      const shown = elements.slice(0, LIST_SHOWN).map(quote).join(', ');
      return elements.length === 0 ? 'empty' : `${count}: ${shown}${elements.length > LIST_SHOWN ? ', …' : ''}`;
    }
  }
}

/** Whether a read-set's output holds the element (null when the question does not apply). */
export function holdsElement(op: Operation, element: string | null): boolean | null {
  if (element === null || op.f !== 'read-set' || op.outcome !== 'ok' || !Array.isArray(op.output)) return null;
  return op.output.includes(element);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function quote(value: string): string {
  return `'${clip(value, 60)}'`;
}

function quoteOrAbsent(value: string | null): string {
  return value === null ? 'absent (null)' : quote(value);
}
