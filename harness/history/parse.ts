/**
 * Parsing and validation of the history format (see types.ts), and pairing of events into
 * operations. Pure: no I/O (readHistoryFile in read-file.ts reads a file through this module).
 *
 * Every problem is reported as a HistoryFormatError naming the file, the 1-based line and what is
 * wrong, e.g. `history.jsonl:12: "type" must be one of invoke, ok, fail, info (got "done")`.
 */

import { type PlainEvent, readPlainLine } from './plain-line.ts';
import { InternedStrings } from './interned-strings.ts';
import { type LineHandler, emitLine, forEachEndedLine } from './lines.ts';
import type { EventType, HistoryEvent, OpFunction, Operation } from './types.ts';

export class HistoryFormatError extends Error {
  /** The file (or other source name) the history came from. */
  readonly file: string;
  /** 1-based line number of the offending line. */
  readonly line: number;
  /** What is wrong, in plain English. */
  readonly problem: string;

  constructor(file: string, line: number, problem: string) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'HistoryFormatError';
    this.file = file;
    this.line = line;
    this.problem = problem;
  }
}

const EVENT_TYPES: readonly EventType[] = ['invoke', 'ok', 'fail', 'info'];
const FUNCTIONS: readonly OpFunction[] = ['add', 'read-set', 'write', 'read', 'cas'];
const ZXID = /^0x[0-9a-f]+$/i;

/**
 * The fast reader's object becomes the event (see validate), so the compiler holds the two types to
 * exactly the same members: a type-level check, nothing runs.
 */
type Same<T extends true> = T;
type PlainEventIsHistoryEvent = Same<
  [Exclude<keyof PlainEvent, keyof HistoryEvent>, Exclude<keyof HistoryEvent, keyof PlainEvent>] extends [never, never] ? true : false
>;

/** What validation remembers of one process. */
interface Session {
  /** The invoke outstanding (the event itself: no record of its own per operation), and its line. */
  open: HistoryEvent | undefined;
  openLine: number;
  lastCompletionTime: number;
  lastCompletionLine: number;
}

/** A line of nothing but JSON whitespace (a newline never reaches here). */
const JSON_BLANK = /^[ \t\r]*$/;

/**
 * Incremental parser: feed it lines in order (e.g. from a stream), then call finish(). Useful for
 * files too large to hold as one string; parseHistory is the one-shot form. With keep = false it
 * only validates and returns each event (for a caller that pairs them as they come, holding
 * operations but not events).
 */
export class HistoryParser {
  readonly source: string;
  private lineNumber = 0;
  private readonly events: HistoryEvent[] = [];
  private readonly sessions = new Map<number, Session>();
  private readonly keep: boolean;
  private count = 0;
  /** One string per key and word of this history. */
  private readonly strings = new InternedStrings([...EVENT_TYPES, ...FUNCTIONS]);

  constructor(source: string, keep = true) {
    this.source = source;
    this.keep = keep;
  }

  /**
   * Parses the next line of the file: the UTF-8 bytes[start, end), without its line terminator. A
   * reader passes a range of its chunk, which is decoded only if JSON.parse must read it.
   */
  line(bytes: Buffer, start = 0, end = bytes.length): HistoryEvent | undefined {
    this.lineNumber++;
    // A byte order mark that begins the file (some editors write one): JSON allows a parser to ignore it.
    if (this.lineNumber === 1 && end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) start += 3;
    let raw: unknown = readPlainLine(bytes, start, end, this.strings);
    const plain = raw !== undefined;
    if (raw === undefined) {
      // As a decoder of the whole file would: a malformed sequence becomes U+FFFD, which JSON.parse
      // then takes inside a string and refuses elsewhere.
      const line = bytes.toString('utf8', start, end);
      // Blank: JSON's own whitespace only (trim() would also pass a no-break space, which JSON refuses).
      if (JSON_BLANK.test(line)) return undefined;
      try {
        raw = JSON.parse(line);
      } catch (error) {
        this.fail(`not valid JSON (${(error as Error).message})`);
      }
    }
    const event = this.validate(raw, plain);
    this.count++;
    if (this.keep) this.events.push(event);
    return event;
  }

  /** All events parsed so far. Operations still outstanding are fine: they are indeterminate. */
  finish(): HistoryEvent[] {
    return this.events;
  }

  private fail(problem: string): never {
    throw new HistoryFormatError(this.source, this.lineNumber, problem);
  }

  /** @param plain read by the fast reader, whose keys come interned already */
  private validate(raw: unknown, plain: boolean): HistoryEvent {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      this.fail(`an event must be a JSON object (got ${show(raw)})`);
    }
    const o = raw as Record<string, unknown>;
    const position = this.count;

    if (!isNonNegativeInt(o.index)) this.fail(`"index" must be an integer >= 0 (got ${showInteger(o.index)})`);
    if (o.index !== position) {
      this.fail(`"index" must be ${position}, the event's position in the history (got ${show(o.index)})`);
    }
    if (typeof o.type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(o.type)) {
      this.fail(`"type" must be one of ${EVENT_TYPES.join(', ')} (got ${show(o.type)})`);
    }
    const type = o.type as EventType;
    if (!Number.isSafeInteger(o.process)) this.fail(`"process" must be an integer (got ${showInteger(o.process)})`);
    const process = o.process as number;
    if (!Number.isSafeInteger(o.time)) this.fail(`"time" must be an integer number of nanoseconds (got ${showInteger(o.time)})`);
    const time = o.time as number;
    if (typeof o.f !== 'string' || !(FUNCTIONS as readonly string[]).includes(o.f)) {
      this.fail(`"f" must be one of ${FUNCTIONS.join(', ')} (got ${show(o.f)})`);
    }
    const f = o.f as OpFunction;
    // Not empty: a key names a znode, and a verdict's unknownKeys entry with key '' is about the whole history.
    if (typeof o.key !== 'string' || o.key === '') this.fail(`"key" must be a non-empty string, the znode's name (got ${show(o.key)})`);
    // One string per key, whichever reader read the line.
    const key = plain ? o.key : this.strings.share(o.key);
    this.validateValue(type, f, o.value);

    let zxid: string | undefined;
    if (o.zxid !== undefined && o.zxid !== null) {
      if (typeof o.zxid !== 'string' || !ZXID.test(o.zxid)) {
        this.fail(`"zxid" must be a hex string like "0x1a2b" (got ${show(o.zxid)})`);
      }
      zxid = o.zxid;
    }
    let version: number | undefined;
    if (o.version !== undefined && o.version !== null) {
      if (!Number.isSafeInteger(o.version)) this.fail(`"version" must be an integer (got ${showInteger(o.version)})`);
      version = o.version as number;
    }
    let server: string | undefined;
    if (o.server !== undefined && o.server !== null) {
      if (typeof o.server !== 'string') this.fail(`"server" must be a string (got ${show(o.server)})`);
      server = o.server;
    }
    let error: string | undefined;
    if (o.error !== undefined && o.error !== null) {
      if (typeof o.error !== 'string') this.fail(`"error" must be a string (got ${show(o.error)})`);
      error = o.error;
    }
    // On a read, false is a mark too: "not a final read" (a history that marks its final reads).
    // On other operations only true is refused; false says nothing there.
    let final: boolean | undefined;
    if (o.final !== undefined && o.final !== null) {
      if (typeof o.final !== 'boolean') this.fail(`"final" must be true or false (got ${show(o.final)})`);
      if (f === 'read' || f === 'read-set') final = o.final;
      else if (o.final) this.fail(`"final" marks a read or read-set, not ${article(f)} ${f}`);
    }

    // Every member present (undefined when absent, null or false on the line): one object shape for
    // every event, which the pairing reads faster. The fast reader's object has exactly these
    // members, the others just validated: it becomes the event, with no second object per line.
    let event: HistoryEvent;
    if (plain) {
      event = o as unknown as HistoryEvent;
      event.zxid = zxid;
      event.version = version;
      event.server = server;
      event.error = error;
      event.final = final;
    } else {
      event = { index: position, type, process, time, f, key, value: o.value as HistoryEvent['value'], zxid, version, server, error, final };
    }

    // One record per process, updated in place: a history has few processes and millions of events.
    let session = this.sessions.get(process);
    if (session === undefined) {
      session = { open: undefined, openLine: 0, lastCompletionTime: -Infinity, lastCompletionLine: 0 };
      this.sessions.set(process, session);
    }
    const open = session.open;
    if (type === 'invoke') {
      if (time < session.lastCompletionTime) {
        this.fail(
          `"time" ${time} is earlier than the completion of process ${process}'s previous operation ` +
            `(line ${session.lastCompletionLine}, time ${session.lastCompletionTime}): time never goes backwards within a process`,
        );
      }
      if (open) {
        this.fail(
          `process ${process} invokes ${f} on ${JSON.stringify(key)} while its ${open.f} from line ${session.openLine} ` +
            `(event ${open.index}) is still outstanding`,
        );
      }
      session.open = event;
      session.openLine = this.lineNumber;
    } else {
      if (!open) this.fail(`process ${process} completes (${type}) with no operation outstanding`);
      if (open.f !== f || open.key !== key) {
        this.fail(
          `completion of process ${process} is ${f} on ${JSON.stringify(key)} but its invoke ` +
            `(line ${session.openLine}, event ${open.index}) was ${open.f} on ${JSON.stringify(open.key)}`,
        );
      }
      if (time < open.time) {
        this.fail(`"time" ${time} is earlier than its invoke's time ${open.time} (line ${session.openLine})`);
      }
      // A true mark makes a missing element a loss: a read cannot be both final and not.
      if (final !== undefined && open.final !== undefined && final !== open.final) {
        this.fail(`"final" is ${final} but its invoke (line ${session.openLine}) says ${open.final}: a read is final or not, on both its events`);
      }
      session.open = undefined;
      session.lastCompletionTime = time;
      session.lastCompletionLine = this.lineNumber;
    }
    return event;
  }

  private validateValue(type: EventType, f: OpFunction, value: unknown): void {
    // fail and info completions may carry the invoke's value or null.
    const nullable = type === 'fail' || type === 'info';
    const where = (): string => `"value" of ${article(type)} ${type} ${f}`;
    switch (f) {
      case 'add':
      case 'write':
        if (typeof value === 'string' || (nullable && value === null)) return;
        this.fail(`${where()} must be a string${nullable ? ' or null' : ''} (got ${show(value)})`);
        break;
      case 'read-set':
        if (type === 'invoke') {
          if (value === null) return;
          this.fail(`${where()} must be null (got ${show(value)})`);
        }
        if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return;
        if (nullable && value === null) return;
        this.fail(`${where()} must be an array of strings${nullable ? ' or null' : ''} (got ${show(value)})`);
        break;
      case 'read':
        // An invoke asks; what was read is the completion's (as for read-set).
        if (type === 'invoke') {
          if (value === null) return;
          this.fail(`${where()} must be null (got ${show(value)})`);
        }
        if (typeof value === 'string' || value === null) return;
        this.fail(`${where()} must be a string or null (got ${show(value)})`);
        break;
      case 'cas':
        if (
          Array.isArray(value) &&
          value.length === 2 &&
          (typeof value[0] === 'string' || value[0] === null) &&
          typeof value[1] === 'string'
        ) {
          return;
        }
        if (nullable && value === null) return;
        this.fail(`${where()} must be [expected (string or null), new (string)]${nullable ? ' or null' : ''} (got ${show(value)})`);
        break;
    }
  }
}

/** Parses a JSON Lines history (blank lines skipped). Throws HistoryFormatError. */
export function parseHistory(text: string, source: string): HistoryEvent[] {
  const parser = new HistoryParser(source);
  const bytes = Buffer.from(text, 'utf8');
  const handle: LineHandler = (b, start, end) => parser.line(b, start, end);
  const rest = forEachEndedLine(bytes, 0, handle);
  // A last line without a newline.
  if (rest < bytes.length) emitLine(handle, bytes, rest, bytes.length);
  return parser.finish();
}

/**
 * Pairs each invoke with the next event of its process. No completion → outcome 'info' and
 * completeTime Infinity. An info completion also gets completeTime Infinity (the operation may
 * take effect later) but keeps its completionIndex. Operations come out in invoke order.
 */
export function toOperations(events: readonly HistoryEvent[]): Operation[] {
  const pairer = new OperationPairer();
  for (const event of events) pairer.add(event);
  return pairer.operations;
}

/**
 * toOperations, one event at a time (for a stream: the events need not be kept). Events from a
 * HistoryParser have one string per key (fewer strings for the checker to hold, and its maps by
 * key hash each once).
 */
export class OperationPairer {
  readonly operations: Operation[] = [];
  private readonly pending = new Map<number, Operation | undefined>();

  add(event: HistoryEvent): void {
    const ops = this.operations;
    const pending = this.pending;
    if (event.type === 'invoke') {
      // A second invoke without completion (only in unvalidated input) leaves the first open.
      const op: Operation = {
        id: event.index,
        process: event.process,
        f: event.f,
        key: event.key,
        input: event.value,
        output: null,
        outcome: 'info',
        invokeTime: event.time,
        completeTime: Infinity,
        // Every field present (undefined when unknown): one object shape, faster to check.
        completionIndex: undefined,
        zxid: undefined,
        version: undefined,
        server: undefined,
        error: undefined,
        final: event.final,
      };
      ops.push(op);
      pending.set(event.process, op);
      return;
    }
    const op = pending.get(event.process);
    if (!op) return;
    // Cleared, not deleted: a map that deletes and re-adds an entry per event keeps compacting.
    pending.set(event.process, undefined);
    op.outcome = event.type;
    op.output = event.value;
    op.completionIndex = event.index;
    op.completeTime = event.type === 'info' ? Infinity : event.time;
    if (event.zxid !== undefined) op.zxid = BigInt(event.zxid);
    if (event.version !== undefined) op.version = event.version;
    if (event.server !== undefined) op.server = event.server;
    if (event.error !== undefined) op.error = event.error;
    // A mark on either event counts (the validator refuses two that disagree).
    if (event.final !== undefined) op.final = event.final;
  }
}

function isNonNegativeInt(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/**
 * show(), saying so when a whole number is past 2^53 - 1: JSON.parse reads it rounded (the file's
 * digits may differ from what is shown), and no integer past it is exact.
 */
function showInteger(v: unknown): string {
  return Number.isInteger(v) && !Number.isSafeInteger(v) ? `${show(v)}, past 2^53 - 1 (${Number.MAX_SAFE_INTEGER}), beyond which a number is not exact` : show(v);
}
