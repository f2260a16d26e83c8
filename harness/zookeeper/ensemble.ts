import type { ServerStatus } from './four-letter-words.ts';

/**
 * What the nemesis needs of a running ensemble, whatever runs it (Docker today; Kubernetes next):
 * its members, who leads, and the process-level actions faults are made of. Generic faults
 * (nemesis/faults.ts) are written once against this and Net.
 */
export interface EnsembleMember {
  name: string;
}

export interface Ensemble<M extends EnsembleMember = EnsembleMember> {
  readonly members: readonly M[];
  /** What the member says of itself (srvr): mode and last zxid. */
  status(member: M): Promise<ServerStatus>;
  /** The member's server log (console output), its whole life, restarts included. */
  logs(member: M): Promise<string>;
  /** The member that is leader now (waits for one: an election may be under way). */
  leader(timeoutMs?: number): Promise<M>;
  /** Waits until every member serves, with one leader. */
  waitForQuorum(timeoutMs?: number): Promise<void>;
  /** kill -9 of the member's JVM; resolves once the member is down, with how it ended. */
  killMember(member: M): Promise<string>;
  /** Stops the member gracefully (SIGTERM, then SIGKILL after a grace period). */
  stopMember(member: M): Promise<void>;
  /** Starts a member that is down, on its data. */
  startMember(member: M): Promise<void>;
  /** SIGSTOP / SIGCONT of the member's JVM. */
  signalMember(member: M, signal: 'STOP' | 'CONT'): Promise<void>;
  /**
   * Waits until the member's server log, from `sinceMs` (epoch ms) on, has a line matching
   * `pattern`; resolves with the line, or undefined when `timeoutMs` passed without one.
   */
  waitForLogLine(member: M, pattern: RegExp, sinceMs: number, timeoutMs: number): Promise<string | undefined>;
}

/**
 * The ensemble's network as the nemesis sees it: cut members off from each other (clients still
 * reach every member) and heal.
 */
export interface Net<M extends EnsembleMember = EnsembleMember> {
  /** Members in different sides can no longer exchange packets; each side keeps its clients. */
  partition(sides: readonly (readonly M[])[]): Promise<void>;
  /** Every cut made by partition is undone. */
  heal(): Promise<void>;
  /** Cuts members off from everything, their clients included. */
  isolate(members: readonly M[]): Promise<void>;
  /** Undoes isolate. */
  reconnect(members: readonly M[]): Promise<void>;
}
