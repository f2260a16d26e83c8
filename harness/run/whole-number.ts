/**
 * The one rule for a whole number a user types (a flag, a ZK_CHAOS_* variable): decimal digits
 * only (no sign, fraction, exponent or spaces, which Number() would take), from `min` to `max`,
 * and exact in a double. undefined when `text` is not one; each caller names its flag or variable
 * in its own message.
 */
export function wholeNumber(text: string, min: number, max: number = Number.MAX_SAFE_INTEGER): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}
