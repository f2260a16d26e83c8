import { describe, expect, it } from 'vitest';
import { LeaderStreamReader, PACKET, quorumPacket, SNAPSHOT_SIGNATURE, type StreamEvent } from '../../harness/zookeeper/sync-stream.ts';

const leaderInfo = quorumPacket(PACKET.LEADERINFO, 0x500000000n, Buffer.from([0, 1, 0, 0]));
/** A data tree's bytes as they might go by (any bytes: the reader does not parse them). */
const tree = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
const newLeader = quorumPacket(PACKET.NEWLEADER, 0x500000000n);

/** Feeds `stream` cut at `cuts`; returns the bytes passed on and the events, in order. */
function feedCut(stream: Buffer, cuts: number[]): { passed: Buffer; events: StreamEvent[] } {
  const reader = new LeaderStreamReader();
  const passed: Buffer[] = [];
  const events: StreamEvent[] = [];
  let from = 0;
  for (const to of [...cuts, stream.length]) {
    const chunk = stream.subarray(from, to);
    const result = reader.feed(chunk);
    expect(result.pass).toBeGreaterThanOrEqual(0);
    expect(result.pass).toBeLessThanOrEqual(chunk.length);
    passed.push(chunk.subarray(0, result.pass));
    events.push(...result.events);
    from = to;
  }
  return { passed: Buffer.concat(passed), events };
}

describe('LeaderStreamReader', () => {
  const snap = Buffer.concat([leaderInfo, quorumPacket(PACKET.SNAP, 0x400000123n), tree, SNAPSHOT_SIGNATURE, newLeader, quorumPacket(PACKET.NEWLEADER, 1n)]);
  const snapshotEnd = leaderInfo.length + 20 + tree.length + SNAPSHOT_SIGNATURE.length;

  it('passes a SNAP sync up to the snapshot\'s last byte and holds the rest, however the stream is cut', () => {
    // Every single cut point, and cuts every few bytes (the signature split across chunks).
    const cutsList = [[], ...Array.from({ length: snap.length - 1 }, (_, i) => [i + 1]), Array.from({ length: Math.floor(snap.length / 3) }, (_, i) => 3 * (i + 1))];
    for (const cuts of cutsList) {
      const { passed, events } = feedCut(snap, cuts);
      expect(passed.equals(snap.subarray(0, snapshotEnd)), `cuts ${cuts.slice(0, 3).join(',')}`).toBe(true);
      expect(events).toEqual([
        { event: 'sync', kind: 'snap', zxid: 0x400000123n, end: leaderInfo.length + 20 },
        { event: 'snapshot-end', offset: snapshotEnd },
      ]);
    }
  });

  it('passes a DIFF or TRUNC sync whole and says which it was', () => {
    for (const [type, kind] of [[PACKET.DIFF, 'diff'], [PACKET.TRUNC, 'trunc']] as const) {
      // A later signature-like byte run must not be taken for a snapshot's end.
      const stream = Buffer.concat([leaderInfo, quorumPacket(type, 0x400000100n), quorumPacket(2, 0x400000101n, SNAPSHOT_SIGNATURE), newLeader]);
      for (const cuts of [[], [5], [leaderInfo.length + 3], [stream.length - 1]]) {
        const { passed, events } = feedCut(stream, cuts);
        expect(passed.equals(stream)).toBe(true);
        expect(events).toEqual([{ event: 'sync', kind, zxid: 0x400000100n, end: leaderInfo.length + 20 }]);
      }
    }
  });

  it('reads packets with auth ids, and passes on whole what is not quorum packets', () => {
    const withAuth = Buffer.concat([quorumPacket(PACKET.LEADERINFO, 1n).subarray(0, 16), Buffer.from([0, 0, 0, 1, 0, 0, 0, 6]), Buffer.from('digest'), Buffer.from([0, 0, 0, 2]), Buffer.from('me')]);
    const stream = Buffer.concat([withAuth, quorumPacket(PACKET.DIFF, 7n)]);
    expect(feedCut(stream, [9]).events).toEqual([{ event: 'sync', kind: 'diff', zxid: 7n, end: stream.length }]);

    // A packet a leader does not send before the sync (here a PING): not a stream this reader knows.
    const early = Buffer.concat([leaderInfo, quorumPacket(5, 9n), quorumPacket(PACKET.SNAP, 9n), tree, SNAPSHOT_SIGNATURE, newLeader]);
    const unknown = feedCut(early, [leaderInfo.length + 2]);
    expect(unknown.passed.equals(early)).toBe(true);
    expect(unknown.events).toEqual([{ event: 'unreadable', why: 'a packet of type 5 before the sync' }]);

    const garbage = Buffer.from('GET / HTTP/1.1\r\nHost: zk-0\r\n\r\n');
    const { passed, events } = feedCut(garbage, [4]);
    expect(passed.equals(garbage)).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: 'unreadable' });
  });

  it('holds nothing while the snapshot has not ended', () => {
    const partial = snap.subarray(0, snapshotEnd - 1);
    const reader = new LeaderStreamReader();
    expect(reader.feed(partial).pass).toBe(partial.length);
    expect(reader.holding).toBe(false);
    expect(reader.feed(snap.subarray(snapshotEnd - 1)).pass).toBe(1);
    expect(reader.holding).toBe(true);
    expect(reader.feed(Buffer.from([1, 2, 3])).pass).toBe(0);
  });
});
