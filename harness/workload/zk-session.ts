import zookeeper from 'node-zookeeper-client';
import type { Client, Stat } from 'node-zookeeper-client';

/**
 * One ZooKeeper session on node-zookeeper-client, made safe for recording a history:
 * - retries 0: a resent create could report NODE_EXISTS after succeeding (see the README);
 * - every request has its own deadline, because the client has no read timeout and drops the
 *   callbacks of requests queued when a session expires;
 * - every outcome is classified: `ok`, `fail` (the server said it did not happen) or `info`
 *   (unknown: connection loss, expiry, deadline). A session that produced `info` is unusable for
 *   recording and must be closed; the caller opens a new one (a new history process).
 */

export type Outcome<T> =
  | { type: 'ok'; value: T }
  | { type: 'fail'; error: string }
  | { type: 'info'; error: string };

export interface SessionOptions {
  /** host:port of the one server this session talks to. */
  address: string;
  /** Name of that server, recorded in the history (e.g. zk-1). */
  serverName: string;
  connectTimeoutMs: number;
  operationTimeoutMs: number;
  sessionTimeoutMs: number;
  /** Gives up connecting at once when aborted (the caller no longer needs the session). */
  signal?: AbortSignal;
}

const { Exception, CreateMode } = zookeeper;

/**
 * node-zookeeper-client 1.1.3 throws from its socket handler ("Unknown code: N") when a reply
 * carries an error code it does not know — seen when a server has lost its data and answers a
 * session from before — which would crash the whole harness. Its connection manager builds
 * errors through Exception.create, so an unknown code becomes SYSTEM_ERROR here: the request's
 * callback fires with an error we record as indeterminate (info), as it should be.
 */
const exceptionModule = Exception as unknown as { create: (code: number, path?: string) => unknown; SYSTEM_ERROR: number };
const createException = exceptionModule.create;
exceptionModule.create = (code, path) => {
  try {
    return createException(code, path);
  } catch {
    return createException(exceptionModule.SYSTEM_ERROR, path);
  }
};

/** Errors after which the server definitely did not apply the request. */
const DEFINITE_FAILURES = new Set<number>([
  Exception.NO_NODE,
  Exception.NODE_EXISTS,
  Exception.BAD_VERSION,
  Exception.NOT_EMPTY,
  Exception.BAD_ARGUMENTS,
]);

export function zxidOf(buffer: Buffer): string {
  return '0x' + buffer.readBigInt64BE(0).toString(16);
}

/** What close() reaches inside node-zookeeper-client 1.1.3 (its socket), which no public API exposes. */
interface ClientInternals {
  connectionManager?: { socket?: { destroy(): void } };
}

export class ZooKeeperSession {
  readonly options: SessionOptions;
  private readonly client: Client;
  private closed = false;
  private connected = false;

  private constructor(client: Client, options: SessionOptions) {
    this.client = client;
    this.options = options;
  }

  /**
   * Connects, or rejects after connectTimeoutMs (the client would otherwise retry forever) or as
   * soon as options.signal aborts; a session given up on is closed, never left connecting.
   */
  static async connect(options: SessionOptions): Promise<ZooKeeperSession> {
    options.signal?.throwIfAborted();
    const client = zookeeper.createClient(options.address, {
      sessionTimeout: options.sessionTimeoutMs,
      spinDelay: 500,
      retries: 0,
    });
    const session = new ZooKeeperSession(client, options);
    await new Promise<void>((resolve, reject) => {
      const giveUp = (error: unknown): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        session.close();
        reject(error);
      };
      const onAbort = (): void => giveUp(options.signal?.reason);
      const timer = setTimeout(
        () => giveUp(new Error(`could not connect to ${options.serverName} (${options.address}) within ${options.connectTimeoutMs} ms`)),
        options.connectTimeoutMs,
      );
      options.signal?.addEventListener('abort', onAbort, { once: true });
      client.once('connected', () => {
        session.connected = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      client.connect();
    });
    return session;
  }

  get server(): string {
    return this.options.serverName;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
    // The client's close() asks the server to end the session and then waits for the server to
    // hang up, with no deadline: a server that never answers (a paused member, one that accepted
    // the connection and hung) would keep the socket open until it comes back. A session that never
    // connected has nothing to end, so its socket goes now; a connected one gets the time of an
    // operation to end properly (the server then forgets it at once instead of at its timeout).
    const socket = (this.client as unknown as ClientInternals).connectionManager?.socket;
    if (!this.connected) socket?.destroy();
    else setTimeout(() => socket?.destroy(), this.options.operationTimeoutMs).unref();
  }

  /** Creates a persistent znode; creates missing parents (not recorded: set-up only). */
  mkdirp(path: string): Promise<Outcome<string>> {
    return this.call<string>((done) => this.client.mkdirp(path, (error, created) => done(error, created)));
  }

  create(path: string, data: string): Promise<Outcome<string>> {
    return this.call<string>((done) =>
      this.client.create(path, Buffer.from(data), CreateMode.PERSISTENT, (error, created) => done(error, created)),
    );
  }

  getData(path: string): Promise<Outcome<{ data: string; stat: Stat }>> {
    return this.call((done) =>
      this.client.getData(path, (error, data, stat) => done(error, { data: data ? data.toString() : '', stat })),
    );
  }

  /** version -1 writes unconditionally; otherwise the write happens only at that version (CAS). */
  setData(path: string, data: string, version: number): Promise<Outcome<Stat>> {
    return this.call((done) => this.client.setData(path, Buffer.from(data), version, (error, stat) => done(error, stat)));
  }

  getChildren(path: string): Promise<Outcome<{ children: string[]; stat: Stat }>> {
    return this.call((done) =>
      this.client.getChildren(path, (error, children, stat) => done(error, { children, stat })),
    );
  }

  private call<T>(start: (done: (error: unknown, value: T) => void) => void): Promise<Outcome<T>> {
    if (this.closed) return Promise.resolve({ type: 'info', error: 'session closed' });
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: Outcome<T>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(
        () => settle({ type: 'info', error: `no answer within ${this.options.operationTimeoutMs} ms` }),
        this.options.operationTimeoutMs,
      );
      try {
        start((error, value) => {
          if (!error) return settle({ type: 'ok', value });
          // node-zookeeper-client reports server errors as Exception objects with a code and a name.
          const code = (error as { getCode?: () => number }).getCode?.();
          const text = String((error as { name?: string }).name ?? error);
          settle(code !== undefined && DEFINITE_FAILURES.has(code) ? { type: 'fail', error: text } : { type: 'info', error: text });
        });
      } catch (error) {
        // The client throws synchronously when it is closed or the request is malformed: nothing was sent.
        settle({ type: 'fail', error: String(error) });
      }
    });
  }
}
