import { describe, expect, it } from 'vitest';
import { scanServerLog } from '../../harness/zookeeper/server-log.ts';

describe('scanServerLog', () => {
  it('counts the lines where the server says its state went wrong, by kind, with the first of each', () => {
    const log = [
      '2026-11-30 15:09:36,547 [myid:1] - INFO  [QuorumPeer[myid=1]/0.0.0.0:2181:QuorumPeer@909] - LOOKING',
      'java.net.ConnectException: Connection refused',
      '2026-11-30 15:10:00,522 [myid:1] - WARN  [QuorumPeer[myid=1]:Follower@129] - Exception when following the leader',
      'java.lang.NullPointerException: Cannot read field "hdr" because "pif" is null',
      '\tat org.apache.zookeeper.server.quorum.Learner.syncWithLeader(Learner.java:722)',
      'java.lang.NullPointerException: Cannot read field "hdr" because "pif" is null',
      '2026-11-30 15:11:00,000 [myid:2] - ERROR [SyncThread:2:FollowerZooKeeperServer@116] - Committing zxid 0x200000005 but next pending txn 0x200000004',
      '2026-11-30 15:12:00,000 [myid:3] - ERROR [CommitProcessor:3:DataTree@1841] - Digests are not matching. Value is Zxid.',
    ].join('\n');
    expect(scanServerLog(log)).toEqual([
      { kind: 'null-pointer', count: 2, first: 'java.lang.NullPointerException: Cannot read field "hdr" because "pif" is null' },
      { kind: 'commit-out-of-order', count: 1, first: expect.stringContaining('Committing zxid 0x200000005 but next pending txn 0x200000004') },
      { kind: 'digest-mismatch', count: 1, first: expect.stringContaining('Digests are not matching') },
    ]);
  });

  it('finds nothing in the churn of a healthy member (elections, refused connections, closed sessions)', () => {
    const log = [
      '2026-11-30 15:09:58,900 [myid:1] - INFO  [QuorumPeer[myid=1]/0.0.0.0:2181:QuorumPeer@909] - LOOKING',
      'java.net.ConnectException: Connection refused',
      'java.io.EOFException',
      '2026-11-30 16:00:31,729 [myid:2] - ERROR [LearnerHandler-/10.241.172.3:51654:LearnerHandler@648] - Unexpected exception causing shutdown while sock still open',
      '2026-11-30 15:09:58,989 [myid:1] - WARN  [QuorumPeer[myid=1]/0.0.0.0:2181:Learner@387] - Got zxid 0x1000013f1 expected 0x1',
      '2026-11-30 15:09:59,303 [myid:1] - WARN  [NIOServerCxn.Factory:0.0.0.0/0.0.0.0:2181:NIOServerCnxn@383] - Exception causing close of session 0x0: ZooKeeperServer not running',
      '2026-11-30 15:10:00,522 [myid:1] - INFO  [QuorumPeer[myid=1]/0.0.0.0:2181:Learner@332] - Getting a diff from the leader 0x10000143f',
    ].join('\n');
    expect(scanServerLog(log)).toEqual([]);
  });
});
