import { describe, expect, it } from 'vitest';
import { emitLine, forEachEndedLine } from '../../harness/history/lines.ts';

/** The lines forEachEndedLine hands over, as strings, and the rest it leaves. */
function split(text: string, from = 0): { lines: string[]; rest: string } {
  const lines: string[] = [];
  const bytes = Buffer.from(text);
  const restAt = forEachEndedLine(bytes, from, (b, start, end) => lines.push(b.toString('utf8', start, end)));
  return { lines, rest: bytes.toString('utf8', restAt) };
}

describe('line splitting', () => {
  it('hands over each newline-ended line without its newline or a \\r just before it, and leaves the unended rest', () => {
    expect(split('a\nb\r\n\n\r\nc\rd\ne')).toEqual({ lines: ['a', 'b', '', '', 'c\rd'], rest: 'e' });
    expect(split('x\n')).toEqual({ lines: ['x'], rest: '' });
    expect(split('')).toEqual({ lines: [], rest: '' });
    expect(split('no newline\r')).toEqual({ lines: [], rest: 'no newline\r' });
  });

  it('starts where it is told and hands over ranges of the bytes themselves', () => {
    const bytes = Buffer.from('skip\nkeep\nrest');
    const ranges: [Buffer, number, number][] = [];
    const restAt = forEachEndedLine(bytes, 5, (b, start, end) => ranges.push([b, start, end]));
    expect(ranges).toHaveLength(1);
    expect(ranges[0]![0]).toBe(bytes);
    expect(ranges[0]!.slice(1)).toEqual([5, 9]);
    expect(restAt).toBe(10);
  });

  it('emitLine drops one \\r that ends the line, and nothing else', () => {
    const got: string[] = [];
    const keep = (b: Buffer, start: number, end: number): void => void got.push(b.toString('utf8', start, end));
    const emit = (text: string, start: number, end: number): void => emitLine(keep, Buffer.from(text), start, end);
    emit('a\r', 0, 2);
    emit('a\r\r', 0, 3);
    emit('\r', 0, 1);
    emit('ab', 1, 1);
    emit('xa\ry', 1, 3);
    expect(got).toEqual(['a', 'a\r', '', '', 'a']);
  });
});
