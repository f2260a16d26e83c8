import { describe, expect, it } from 'vitest';
import { wholeNumber } from '../../harness/run/whole-number.ts';

describe('wholeNumber', () => {
  it('takes decimal digits from min to max', () => {
    expect(wholeNumber('0', 0)).toBe(0);
    expect(wholeNumber('42', 1)).toBe(42);
    expect(wholeNumber('007', 1)).toBe(7);
    expect(wholeNumber('65533', 1, 65_533)).toBe(65_533);
    expect(wholeNumber(String(Number.MAX_SAFE_INTEGER), 0)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses what Number() would read but a user did not mean as a whole number', () => {
    for (const text of ['', ' 1', '1 ', '-1', '+1', '1.0', '1e3', '0x10', 'Infinity', '1_000', 'abc']) expect(wholeNumber(text, 0), text).toBeUndefined();
  });

  it('refuses a number out of range or past 2^53 - 1', () => {
    expect(wholeNumber('0', 1)).toBeUndefined();
    expect(wholeNumber('65534', 1, 65_533)).toBeUndefined();
    expect(wholeNumber(String(Number.MAX_SAFE_INTEGER + 1), 0)).toBeUndefined();
    expect(wholeNumber('99999999999999999999', 0)).toBeUndefined();
  });
});
