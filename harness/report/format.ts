/** Text formatting shared by the HTML rendering. Pure. */

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** µs since the first event → "12.3456 s" (0.1 ms resolution: enough to tell operations apart). */
export function seconds(us: number): string {
  return `${(us / 1e6).toFixed(4)} s`;
}

/** A run's length in words: "850 ms", "14.3 s", "5 min 03 s". */
export function humanDuration(us: number): string {
  const ms = us / 1000;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  return `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, '0')} s`;
}

/** 1234567 → "1,234,567". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
