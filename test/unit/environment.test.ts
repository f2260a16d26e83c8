import { describe, expect, it } from 'vitest';
import { EnvironmentError, readEnvironment } from '../../harness/run/environment.ts';

describe('readEnvironment', () => {
  it('gives the defaults when nothing (or an empty value) is set', () => {
    expect(readEnvironment({})).toEqual({ seed: undefined, resultsDir: 'test-results', cluster: 'zk-chaos', nodePortBase: 30_181, holdAt: undefined });
    expect(readEnvironment({ ZK_CHAOS_SEED: '', ZK_CHAOS_RESULTS: '' })).toMatchObject({ seed: undefined, resultsDir: 'test-results' });
  });

  it('reads each variable', () => {
    expect(readEnvironment({ ZK_CHAOS_SEED: '0', ZK_CHAOS_RESULTS: '/tmp/r', ZK_CHAOS_CLUSTER: 'other', ZK_CHAOS_NODEPORT_BASE: '31000', ZK_CHAOS_HOLD_AT: 'final reads' })).toEqual({
      seed: 0,
      resultsDir: '/tmp/r',
      cluster: 'other',
      nodePortBase: 31_000,
      holdAt: 'final reads',
    });
  });

  it('refuses a wrong value with an error naming the variable and what it may be', () => {
    expect(() => readEnvironment({ ZK_CHAOS_SEED: 'abc' })).toThrow(new EnvironmentError('ZK_CHAOS_SEED must be a whole number from 0 to 9007199254740991 (got "abc")'));
    expect(() => readEnvironment({ ZK_CHAOS_SEED: '-1' })).toThrow(/ZK_CHAOS_SEED must be a whole number/);
    expect(() => readEnvironment({ ZK_CHAOS_SEED: '1.5' })).toThrow(/ZK_CHAOS_SEED must be a whole number/);
    expect(() => readEnvironment({ ZK_CHAOS_NODEPORT_BASE: '65534' })).toThrow('ZK_CHAOS_NODEPORT_BASE must be a whole number from 1 to 65533 (got "65534")');
    expect(() => readEnvironment({ ZK_CHAOS_HOLD_AT: 'checks' })).toThrow('ZK_CHAOS_HOLD_AT must be one of final reads, check, report (got "checks")');
  });
});
