/**
 * The ZK_CHAOS_* variables every command and suite may read besides the suites' own (SuiteConfig),
 * read and checked in one place: a wrong value is one clear error naming the variable and what it
 * may be, never a default in disguise.
 */

import { wholeNumber } from './whole-number.ts';

/** Where a run can be held until interrupted (ZK_CHAOS_HOLD_AT; see TestRun). */
export const HOLD_PHASES = ['final reads', 'check', 'report'] as const;
export type HoldPhase = (typeof HOLD_PHASES)[number];

export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

export interface Environment {
  /** ZK_CHAOS_SEED: the seed of runs given none (npm run e2e hands its --seed to the suites so). */
  seed: number | undefined;
  /** ZK_CHAOS_RESULTS: where run folders, JUnit and timings go (default test-results). */
  resultsDir: string;
  /** ZK_CHAOS_CLUSTER: the name of the kind cluster npm run cluster:up made (default zk-chaos). */
  cluster: string;
  /**
   * ZK_CHAOS_NODEPORT_BASE: the host port that reaches zk-0's NodePort on kind, zk-1 and zk-2 on
   * the next two (default 30181, as kind-config.yaml maps them).
   */
  nodePortBase: number;
  /**
   * ZK_CHAOS_HOLD_AT: a test seam. A run waits in this phase until it is interrupted, so tests can
   * send a real signal in a phase that lasts milliseconds; nothing else sets it.
   */
  holdAt: HoldPhase | undefined;
}

export function readEnvironment(env: Readonly<Record<string, string | undefined>> = process.env): Environment {
  const given = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const whole = (name: string, min: number, max: number): number | undefined => {
    const value = given(name);
    if (value === undefined) return undefined;
    const n = wholeNumber(value, min, max);
    if (n === undefined) throw new EnvironmentError(`${name} must be a whole number from ${min} to ${max} (got "${value}")`);
    return n;
  };
  const holdAt = given('ZK_CHAOS_HOLD_AT');
  if (holdAt !== undefined && !(HOLD_PHASES as readonly string[]).includes(holdAt)) {
    throw new EnvironmentError(`ZK_CHAOS_HOLD_AT must be one of ${HOLD_PHASES.join(', ')} (got "${holdAt}"); it is for tests: unset it for a normal run`);
  }
  return {
    seed: whole('ZK_CHAOS_SEED', 0, Number.MAX_SAFE_INTEGER),
    resultsDir: given('ZK_CHAOS_RESULTS') ?? 'test-results',
    cluster: given('ZK_CHAOS_CLUSTER') ?? 'zk-chaos',
    nodePortBase: whole('ZK_CHAOS_NODEPORT_BASE', 1, 65_533) ?? 30_181,
    holdAt: holdAt as HoldPhase | undefined,
  };
}
