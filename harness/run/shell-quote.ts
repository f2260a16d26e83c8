/**
 * `word` as one argument of a POSIX shell: bare when it holds only characters no shell treats
 * specially, else in single quotes (inside which only the quote itself needs care).
 */
export function shellQuote(word: string): string {
  return /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
