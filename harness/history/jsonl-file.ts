import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A JSON Lines file appended one line per record, synchronously, so a crash keeps every record
 * written so far. Shared by the run's side logs (faults.jsonl, events.jsonl).
 */
export class JsonlFile {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
  }

  append(record: object): void {
    appendFileSync(this.path, JSON.stringify(record) + '\n');
  }
}
