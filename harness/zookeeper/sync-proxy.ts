import { connect, createServer, type Server, type Socket } from 'node:net';
import { LeaderStreamReader, type SyncKind } from './sync-stream.ts';

/** What the first sync through the proxy was. */
export type SyncSeen =
  /**
   * A SNAP: the snapshot's last byte was handed to this host's network stack for the learner;
   * everything after it (NEWLEADER first) is held. snapshotBytes counts the signature's 14.
   */
  | { kind: 'snap'; zxid: bigint; snapshotBytes: number; ms: number }
  /** A DIFF or TRUNC: passed on whole, nothing held. */
  | { kind: Exclude<SyncKind, 'snap'>; zxid: bigint }
  /** The leader's bytes did not read as quorum packets: passed on whole. */
  | { kind: 'unreadable'; why: string };

/**
 * A TCP proxy between a learner and its leader's quorum port that passes both ways until the
 * leader has sent a whole snapshot, and then holds what the leader sends next (NEWLEADER among
 * it): the learner has the snapshot in memory and waits for the rest of its sync. What the learner
 * sends still goes through. ZOOKEEPER-3642's window, held open for as long as a fault needs it
 * (the fault then kills the leader and closes the proxy, and the learner sees its connection go).
 */
export class SyncProxy {
  readonly host: string;
  readonly port: number;
  /** Resolves at the first sync through the proxy (a SNAP once its last byte is through). */
  readonly sync: Promise<SyncSeen>;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private accepted = 0;

  private constructor(server: Server, host: string, port: number, sync: Promise<SyncSeen>) {
    this.server = server;
    this.host = host;
    this.port = port;
    this.sync = sync;
  }

  /** Listens on `host` (a free port) and sends each connection on to `target`. */
  static async start(host: string, target: { host: string; port: number }): Promise<SyncProxy> {
    let seen!: (sync: SyncSeen) => void;
    const sync = new Promise<SyncSeen>((resolve) => (seen = resolve));
    let proxy: SyncProxy | undefined;
    const server = createServer((learner) => proxy?.relay(learner, target, seen));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // An accept that fails later (e.g. out of file descriptors) costs that connection, not the run.
    server.on('error', () => undefined);
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error(`the sync proxy on ${host} has no TCP port`);
    proxy = new SyncProxy(server, host, address.port, sync);
    return proxy;
  }

  /** Connections the proxy has taken from learners. */
  get connections(): number {
    return this.accepted;
  }

  private relay(learner: Socket, target: { host: string; port: number }, seen: (sync: SyncSeen) => void): void {
    this.accepted++;
    const leader = connect(target.port, target.host);
    const reader = new LeaderStreamReader();
    let snapshotStart: { at: number; offset: number; zxid: bigint } | undefined;
    for (const socket of [learner, leader]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => this.sockets.delete(socket));
    }
    // Either side gone takes the other with it, as a direct connection would; the learner first
    // gets what was already passed on (a held snapshot's last bytes among it).
    leader.on('close', () => learner.end());
    learner.on('close', () => leader.destroy());
    const forward = (from: Socket, to: Socket, bytes: Buffer, written?: (error?: Error | null) => void): void => {
      if (!to.write(bytes, written)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    };
    learner.on('data', (chunk: Buffer) => forward(learner, leader, chunk));
    leader.on('data', (chunk: Buffer) => {
      const { pass, events } = reader.feed(chunk);
      const now = performance.now();
      let ended: SyncSeen | undefined;
      for (const e of events) {
        if (e.event === 'sync') {
          if (e.kind === 'snap') snapshotStart = { at: now, offset: e.end, zxid: e.zxid };
          else seen({ kind: e.kind, zxid: e.zxid });
        } else if (e.event === 'unreadable') seen({ kind: 'unreadable', why: e.why });
        else if (snapshotStart) {
          ended = { kind: 'snap', zxid: snapshotStart.zxid, snapshotBytes: e.offset - snapshotStart.offset, ms: Math.round(now - snapshotStart.at) };
        }
      }
      // A held snapshot counts once its last byte has left this process for the learner.
      const snap = ended;
      const delivered = snap
        ? (error?: Error | null) => {
            if (!error) seen(snap);
          }
        : undefined;
      if (pass > 0) forward(leader, learner, chunk.subarray(0, pass), delivered);
      else if (snap) seen(snap);
    });
  }

  /** Ends every connection through the proxy and stops listening. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
