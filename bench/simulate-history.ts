/**
 * Simulated histories of a ZooKeeper-like system, for benchmarking the checker. Everything is
 * valid by construction (sequential consistency per session, linearizable writes):
 * - one leader applies writes (add, write, successful cas) in one order, assigning zxids;
 * - each read is served at a point inside its interval by a follower that lags the leader by a
 *   random amount, but never behind what the session has already seen (ZooKeeper refuses a session
 *   a server that is behind it);
 * - processes (sessions) sometimes crash mid-operation: the op completes with info and took
 *   effect or not (50/50); the slot carries on as a new process;
 * - a plain write occasionally fails definitely (did not happen);
 * - at the end every set key gets a final read from an up-to-date server, as the harness does
 *   after healing the cluster.
 */

import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import { countAtOrBelow } from '../harness/checker/sorted.ts';
import type { HistoryEvent, OpFunction } from '../harness/history/types.ts';

export interface SimulationOptions {
  seed: number;
  /** Operations in the main workload (the final reads come on top). */
  operations: number;
  /** Concurrent client slots (each one process at a time). */
  slots: number;
  setKeys: number;
  registerKeys: number;
  /** Relative weights of the functions. */
  mix: Partial<Record<OpFunction, number>>;
  /** Record zxids on completions (ok writes: mzxid written; ok reads: mzxid read). */
  zxids: boolean;
  /** Probability that an op ends in a crash (info). */
  crash: number;
  /** Probability that a plain write fails definitely. */
  failWrite: number;
  /** Follower lag, nanoseconds (uniform in [0, maxLagNs]). */
  maxLagNs: number;
  /** Final read of every set key at the end (without: every read is marked not final, as in a run stopped before them). */
  finalReads: boolean;
  /** Servers the sessions talk to (named zk-0...). */
  servers: number;
}

interface Draft {
  process: number;
  server: number;
  f: OpFunction;
  key: string;
  invoke: number;
  effect: number;
  complete: number;
  /** 'info' decided up front (crash); 'fail' for a failed write up front, for cas at effect time. */
  outcome: 'ok' | 'fail' | 'info';
  /** A final read. Every read is marked, true or false, as the harness marks its own. */
  final?: boolean;
  applies: boolean;
  input: HistoryEvent['value'];
  output: HistoryEvent['value'];
  zxid?: number;
}

const MS = 1_000_000;

export function simulateHistory(options: SimulationOptions): HistoryEvent[] {
  const rng = xoroshiro128plus(options.seed);
  const int = (lo: number, hi: number): number => unsafeUniformIntDistribution(lo, hi, rng);
  const chance = (p: number): boolean => int(0, 999_999) < p * 1_000_000;

  const functions = Object.entries(options.mix).filter(([, w]) => (w ?? 0) > 0) as [OpFunction, number][];
  const totalWeight = functions.reduce((s, [, w]) => s + w, 0);
  const pickFunction = (): OpFunction => {
    let r = int(0, totalWeight - 1);
    for (const [f, w] of functions) {
      if (r < w) return f;
      r -= w;
    }
    return (functions[0] as [OpFunction, number])[0];
  };

  // Phase 1: each slot's timeline (invoke, effect point, completion).
  const drafts: Draft[] = [];
  let nextProcess = 0;
  let endTime = 0;
  for (let slot = 0; slot < options.slots; slot++) {
    const quota = Math.floor(options.operations / options.slots) + (slot < options.operations % options.slots ? 1 : 0);
    let process = nextProcess++;
    let server = int(0, options.servers - 1);
    let t = int(0, MS);
    for (let k = 0; k < quota; k++) {
      const f = pickFunction();
      const isSet = f === 'add' || f === 'read-set';
      const key = isSet ? `s${int(0, options.setKeys - 1)}` : `r${int(0, options.registerKeys - 1)}`;
      const latency = int(MS / 5, 4 * MS);
      const crashed = chance(options.crash);
      const failed = !crashed && f === 'write' && chance(options.failWrite);
      drafts.push({
        process,
        server,
        f,
        key,
        invoke: t,
        effect: t + int(1, latency - 1),
        complete: t + latency,
        outcome: crashed ? 'info' : failed ? 'fail' : 'ok',
        applies: crashed ? chance(0.5) : !failed,
        input: null,
        output: null,
      });
      t += latency + int(1, MS);
      if (crashed) {
        process = nextProcess++;
        server = int(0, options.servers - 1);
        t += int(MS, 5 * MS);
      }
    }
    endTime = Math.max(endTime, t);
  }

  // Phase 2: effects in time order against the leader and lagging followers.
  const order = Array.from(drafts.keys()).sort((a, b) => (drafts[a] as Draft).effect - (drafts[b] as Draft).effect);
  const BASE = 2 ** 32; // epoch 1
  let zxid = BASE;
  const zxidTimes: number[] = [];
  const registers = new Map<string, { zxids: number[]; values: string[] }>();
  const sets = new Map<string, { zxids: number[]; elements: string[] }>();
  const sessions = new Map<number, { lastZxid: number; lastSeen: Map<string, string | null> }>();
  let fresh = 0;

  // Times and zxids here are integers, as countAtOrBelow requires.
  const leaderZxidAt = (time: number): number => BASE + countAtOrBelow(zxidTimes, time);
  const lastAtOrBelow = (zxids: number[], z: number): number => countAtOrBelow(zxids, z) - 1;
  const apply = (effect: number): number => {
    zxid++;
    zxidTimes.push(effect);
    return zxid;
  };

  for (const i of order) {
    const d = drafts[i] as Draft;
    let session = sessions.get(d.process);
    if (!session) {
      session = { lastZxid: 0, lastSeen: new Map() };
      sessions.set(d.process, session);
    }
    const view = (): number => Math.max(leaderZxidAt(d.effect - int(0, options.maxLagNs)), session.lastZxid);
    switch (d.f) {
      case 'add': {
        const element = `e${++fresh}`;
        d.input = element;
        d.output = element;
        if (d.applies) {
          let set = sets.get(d.key);
          if (!set) sets.set(d.key, (set = { zxids: [], elements: [] }));
          d.zxid = apply(d.effect);
          set.zxids.push(d.zxid);
          set.elements.push(element);
          session.lastZxid = d.zxid;
        }
        break;
      }
      case 'read-set': {
        const z = view();
        const set = sets.get(d.key);
        d.output = set ? set.elements.slice(0, lastAtOrBelow(set.zxids, z) + 1) : [];
        d.zxid = z;
        session.lastZxid = z;
        break;
      }
      case 'write': {
        const value = `v${++fresh}`;
        d.input = value;
        d.output = value;
        if (d.applies) {
          let reg = registers.get(d.key);
          if (!reg) registers.set(d.key, (reg = { zxids: [], values: [] }));
          d.zxid = apply(d.effect);
          reg.zxids.push(d.zxid);
          reg.values.push(value);
          session.lastZxid = d.zxid;
          session.lastSeen.set(d.key, value);
        }
        break;
      }
      case 'read': {
        const z = view();
        const reg = registers.get(d.key);
        const at = reg ? lastAtOrBelow(reg.zxids, z) : -1;
        d.output = at >= 0 ? ((reg as { values: string[] }).values[at] as string) : null;
        if (at >= 0) d.zxid = (reg as { zxids: number[] }).zxids[at] as number;
        session.lastZxid = z;
        session.lastSeen.set(d.key, d.output);
        break;
      }
      case 'cas': {
        const expected = session.lastSeen.get(d.key) ?? null;
        const next = `v${++fresh}`;
        // types.ts types values as string | string[] | null; a cas from absent holds a null.
        d.input = [expected, next] as string[];
        d.output = d.input;
        let reg = registers.get(d.key);
        const current = reg && reg.values.length > 0 ? (reg.values[reg.values.length - 1] as string) : null;
        if (current !== expected) {
          if (d.outcome === 'ok') d.outcome = 'fail';
          d.applies = false;
          // The session learns the current value (as a client would by reading after BadVersion),
          // and its server has processed the failure after everything the leader had applied.
          session.lastSeen.set(d.key, current);
          if (d.outcome === 'fail') session.lastZxid = Math.max(session.lastZxid, zxid);
        } else if (d.applies) {
          if (!reg) registers.set(d.key, (reg = { zxids: [], values: [] }));
          d.zxid = apply(d.effect);
          reg.zxids.push(d.zxid);
          reg.values.push(next);
          session.lastZxid = d.zxid;
          session.lastSeen.set(d.key, next);
        }
        break;
      }
    }
  }

  // Final reads: one fresh session per slot, reading the set keys from an up-to-date server.
  if (options.finalReads) {
    const start = endTime + 10 * MS;
    const keys = [...sets.keys()].sort();
    const finalSlots = Math.max(1, Math.min(options.slots, keys.length));
    const clocks = Array.from({ length: finalSlots }, () => start + int(0, MS));
    const processes = Array.from({ length: finalSlots }, () => nextProcess++);
    keys.forEach((key, j) => {
      const slot = j % finalSlots;
      const invoke = clocks[slot] as number;
      const latency = int(MS / 5, MS);
      const set = sets.get(key) as { zxids: number[]; elements: string[] };
      drafts.push({
        process: processes[slot] as number,
        server: 0,
        f: 'read-set',
        key,
        invoke,
        effect: invoke + 1,
        complete: invoke + latency,
        outcome: 'ok',
        applies: true,
        input: null,
        output: set.elements.slice(),
        zxid,
        final: true,
      });
      clocks[slot] = invoke + latency + int(1, MS / 10);
    });
  }

  return toEvents(drafts, options);
}

/** Interleaves every op's invoke and completion by time into indexed events. */
function toEvents(drafts: readonly Draft[], options: SimulationOptions): HistoryEvent[] {
  const n = drafts.length;
  // Event e: op e>>1, invoke when e is even. Sort by time (a completion before an invoke at a tie).
  const events = new Uint32Array(2 * n);
  for (let e = 0; e < 2 * n; e++) events[e] = e;
  const timeOf = (e: number): number => {
    const d = drafts[e >>> 1] as Draft;
    return (e & 1) === 0 ? d.invoke : d.complete;
  };
  events.sort((a, b) => timeOf(a) - timeOf(b) || (b & 1) - (a & 1) || a - b);
  const out: HistoryEvent[] = new Array(2 * n);
  for (let index = 0; index < 2 * n; index++) {
    const e = events[index] as number;
    const d = drafts[e >>> 1] as Draft;
    if ((e & 1) === 0) {
      out[index] = { index, type: 'invoke', process: d.process, time: d.invoke, f: d.f, key: d.key, value: invokeValue(d), ...(d.f === 'read' || d.f === 'read-set' ? { final: d.final === true } : {}) };
      continue;
    }
    const event: HistoryEvent = {
      index,
      type: d.outcome,
      process: d.process,
      time: d.complete,
      f: d.f,
      key: d.key,
      value: d.outcome === 'ok' ? d.output : invokeValue(d),
      server: `zk-${d.server}`,
    };
    if (options.zxids && d.outcome === 'ok' && d.zxid !== undefined) event.zxid = '0x' + d.zxid.toString(16);
    if (d.outcome === 'info') event.error = 'connection loss';
    if (d.outcome === 'fail') event.error = d.f === 'cas' ? 'BAD_VERSION' : 'NO_NODE';
    out[index] = event;
  }
  return out;
}

function invokeValue(d: Draft): HistoryEvent['value'] {
  return d.f === 'read' || d.f === 'read-set' ? null : d.input;
}

