/**
 * Reads what a ZooKeeper leader sends a learner on the quorum port (2888) far enough to know how
 * the learner is being synced, and where a snapshot sent to it ends. Pure: fed the stream's bytes
 * in chunks of any size, it says how many of them may be passed on. Used by SyncProxy to hold
 * everything after a snapshot's last byte (ZOOKEEPER-3642's window: the snapshot is whole in the
 * learner's memory, NEWLEADER has not come).
 *
 * The framing (ZooKeeper 3.4 to 3.9, jute's binary archive): each packet is a QuorumPacket —
 * int type, long zxid, buffer data (int length, -1 for none, then the bytes), vector authinfo (int
 * count, -1 for none, then per Id two strings, each an int length and its bytes), all big-endian.
 * A SNAP packet is followed by the serialized data tree and the string "BenWasHere" (the
 * "signature" both sides check), then by packets again (the transactions since, NEWLEADER, ...).
 */

/** Quorum packet types, as Leader.java numbers them. */
export const PACKET = { NEWLEADER: 10, DIFF: 13, TRUNC: 14, SNAP: 15, LEADERINFO: 17 } as const;

/** How the leader syncs the learner: the first DIFF, TRUNC or SNAP packet it sends. */
export type SyncKind = 'diff' | 'trunc' | 'snap';

/** The signature string as jute writes it: its length (10) as an int, then its bytes. */
export const SNAPSHOT_SIGNATURE = Buffer.concat([Buffer.from([0, 0, 0, 10]), Buffer.from('BenWasHere', 'ascii')]);

/** What a leader sends before the sync: LEADERINFO (and NEWLEADER first, in the protocol before 3.4). */
const BEFORE_SYNC: ReadonlySet<number> = new Set([PACKET.LEADERINFO, PACKET.NEWLEADER]);

/** More than any packet before the sync can hold: a larger length means this is not the framing read here. */
const MAX_FIELD = 1 << 20;

export type StreamEvent =
  /** The sync's kind is known (its packet's zxid; `end`: the stream offset just after that packet). */
  | { event: 'sync'; kind: SyncKind; zxid: bigint; end: number }
  /** The snapshot (signature included) ends just before stream offset `offset`; from there on everything is held. */
  | { event: 'snapshot-end'; offset: number }
  /** The bytes did not read as quorum packets: everything is passed on and nothing more is read. */
  | { event: 'unreadable'; why: string };

type State = 'packets' | 'snapshot' | 'held' | 'passing';

export class LeaderStreamReader {
  private state: State = 'packets';
  /** Bytes of a packet not yet whole (the packets before the sync are a few dozen bytes each). */
  private pending: Buffer = Buffer.alloc(0);
  /** The last bytes of the snapshot seen so far: the signature may straddle two chunks. */
  private tail: Buffer = Buffer.alloc(0);
  /** Stream bytes fed so far. */
  private fed = 0;

  /** Whether everything from the snapshot's end on is being held. */
  get holding(): boolean {
    return this.state === 'held';
  }

  /** Takes the next chunk; returns how many of its bytes may be passed on, and what was learnt. */
  feed(chunk: Buffer): { pass: number; events: StreamEvent[] } {
    const events: StreamEvent[] = [];
    const start = this.fed;
    this.fed += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      if (this.state === 'held') return { pass: at, events };
      if (this.state === 'passing') return { pass: chunk.length, events };
      if (this.state === 'snapshot') {
        const found = this.findSignatureEnd(chunk, at);
        if (found === -1) return { pass: chunk.length, events };
        this.state = 'held';
        events.push({ event: 'snapshot-end', offset: start + found });
        return { pass: found, events };
      }
      // A packet: take what it needs of the chunk, then read it if whole.
      const before = this.pending.length;
      this.pending = Buffer.concat([this.pending, chunk.subarray(at)]);
      const size = packetSize(this.pending);
      if (typeof size === 'string') {
        this.state = 'passing';
        events.push({ event: 'unreadable', why: size });
        return { pass: chunk.length, events };
      }
      if (size === undefined) return { pass: chunk.length, events };
      at += size - before;
      const type = this.pending.readInt32BE(0);
      const zxid = this.pending.readBigInt64BE(4);
      this.pending = Buffer.alloc(0);
      const kind = type === PACKET.SNAP ? 'snap' : type === PACKET.DIFF ? 'diff' : type === PACKET.TRUNC ? 'trunc' : undefined;
      if (kind) {
        events.push({ event: 'sync', kind, zxid, end: start + at });
        // After a DIFF or TRUNC, nothing more needs reading: the rest goes through as it comes.
        this.state = kind === 'snap' ? 'snapshot' : 'passing';
      } else if (!BEFORE_SYNC.has(type)) {
        // Not what a leader sends before the sync (e.g. quorum SASL's packets, which are framed
        // otherwise): this reader does not know the stream, so it lets it all through.
        this.state = 'passing';
        events.push({ event: 'unreadable', why: `a packet of type ${type} before the sync` });
        return { pass: chunk.length, events };
      }
    }
    return { pass: chunk.length, events };
  }

  /**
   * Where in `chunk` (from `from`) the signature ends, counting the bytes kept from earlier chunks;
   * -1 if not yet. A znode whose data held the signature's 14 bytes would end the search early (the
   * workload's values never do).
   */
  private findSignatureEnd(chunk: Buffer, from: number): number {
    const window = Buffer.concat([this.tail, chunk.subarray(from)]);
    const index = window.indexOf(SNAPSHOT_SIGNATURE);
    if (index !== -1) return from + index + SNAPSHOT_SIGNATURE.length - this.tail.length;
    this.tail = window.subarray(Math.max(0, window.length - (SNAPSHOT_SIGNATURE.length - 1)));
    return -1;
  }
}

/** A whole packet's size in bytes at the start of `buffer`; undefined: not whole yet; a string: not a packet. */
function packetSize(buffer: Buffer): number | undefined | string {
  let at = 12; // type, zxid
  const length = (): number | undefined | string => {
    if (buffer.length < at + 4) return undefined;
    const n = buffer.readInt32BE(at);
    at += 4;
    if (n < -1 || n > MAX_FIELD) return `a field's length of ${n} bytes at byte ${at - 4} of a packet`;
    return n;
  };
  const data = length();
  if (typeof data !== 'number') return data;
  at += Math.max(0, data);
  const ids = length();
  if (typeof ids !== 'number') return ids;
  for (let i = 0; i < ids; i++) {
    for (let part = 0; part < 2; part++) {
      // The Id's scheme, then its id.
      const n = length();
      if (typeof n !== 'number') return n;
      at += Math.max(0, n);
    }
  }
  return buffer.length < at ? undefined : at;
}

/** A QuorumPacket as the leader writes it (for tests and for a learner's side of a test). */
export function quorumPacket(type: number, zxid: bigint, data?: Buffer): Buffer {
  const head = Buffer.alloc(16);
  head.writeInt32BE(type, 0);
  head.writeBigInt64BE(zxid, 4);
  head.writeInt32BE(data ? data.length : -1, 12);
  const noAuth = Buffer.alloc(4);
  noAuth.writeInt32BE(-1, 0);
  return Buffer.concat([head, data ?? Buffer.alloc(0), noAuth]);
}
