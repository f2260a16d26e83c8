import { describe, expect, it } from 'vitest';
import { emitLine, forEachEndedLine } from '../../harness/history/lines.ts';

/** The lines forEachEndedLine hands over, as strings, and the rest it leaves. */
function split(text: string, from = 0): { lines: string[]; rest: string } {
  const lines: string[] = [];
  const restAt = forEachEndedLine(text, from, (t, start, end) => lines.push(t.slice(start, end)));
  return { lines, rest: text.slice(restAt) };
}

describe('line splitting', () => {
  it('hands over each newline-ended line without its newline or a \\r just before it, and leaves the unended rest', () => {
    expect(split('a\nb\r\n\n\r\nc\rd\ne')).toEqual({ lines: ['a', 'b', '', '', 'c\rd'], rest: 'e' });
    expect(split('x\n')).toEqual({ lines: ['x'], rest: '' });
    expect(split('')).toEqual({ lines: [], rest: '' });
    expect(split('no newline\r')).toEqual({ lines: [], rest: 'no newline\r' });
  });

  it('starts where it is told and hands over ranges of the text itself', () => {
    const text = 'skip\nkeep\nrest';
    const ranges: [string, number, number][] = [];
    const restAt = forEachEndedLine(text, 5, (t, start, end) => ranges.push([t, start, end]));
    expect(ranges).toEqual([[text, 5, 9]]);
    expect(restAt).toBe(10);
  });

  it('emitLine drops one \\r that ends the line, and nothing else', () => {
    const got: string[] = [];
    const keep = (t: string, start: number, end: number): void => void got.push(t.slice(start, end));
    emitLine(keep, 'a\r', 0, 2);
    emitLine(keep, 'a\r\r', 0, 3);
    emitLine(keep, '\r', 0, 1);
    emitLine(keep, 'ab', 1, 1);
    emitLine(keep, 'xa\ry', 1, 3);
    expect(got).toEqual(['a', 'a\r', '', '', 'a']);
  });
});
