import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/**
 * What identifies a history file's content: its size and SHA-256. A run's verdict.json carries the
 * digest of the history it judged, so a report never shows that verdict beside a history edited
 * (or replaced) after the check.
 */
export interface HistoryDigest {
  bytes: number;
  sha256: string;
}

/** The file's digest, read in 1 MiB pieces (a history may be larger than memory likes). */
export function fileDigest(path: string): HistoryDigest {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  let bytes = 0;
  try {
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
      hash.update(chunk.subarray(0, n));
      bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}
