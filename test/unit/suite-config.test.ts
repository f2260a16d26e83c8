import { describe, expect, it } from 'vitest';
import { parseSuiteConfig } from '../../harness/run/suite-config.ts';

describe('parseSuiteConfig', () => {
  it('gives the defaults for an empty environment', () => {
    expect(parseSuiteConfig({})).toEqual({
      context: 'kind-zk-chaos',
      kubeconfig: undefined,
      namespace: 'zk-chaos',
      image: 'zk-chaos/zookeeper:local',
      storage: 'local-path',
      access: 'nodeport',
      quietMs: 10_000,
      holdMs: 5_000,
      randomMs: 120_000,
    });
  });

  it('takes what e2e passes', () => {
    const config = parseSuiteConfig({ ZK_CHAOS_CONTEXT: 'k3d-x', ZK_CHAOS_STORAGE: 'shared', ZK_CHAOS_ACCESS: 'port-forward', ZK_CHAOS_QUIET_MS: '2000', ZK_CHAOS_NAMESPACE: 'zk-test' });
    expect(config).toMatchObject({ context: 'k3d-x', storage: 'shared', access: 'port-forward', quietMs: 2000, namespace: 'zk-test' });
  });

  it('names the variable and what it may be when a value is wrong', () => {
    expect(() => parseSuiteConfig({ ZK_CHAOS_STORAGE: 'nfs' })).toThrow('ZK_CHAOS_STORAGE must be one of local-path, shared, ephemeral (got "nfs")');
    expect(() => parseSuiteConfig({ ZK_CHAOS_ACCESS: 'ingress' })).toThrow('ZK_CHAOS_ACCESS must be one of nodeport, port-forward (got "ingress")');
    expect(() => parseSuiteConfig({ ZK_CHAOS_QUIET_MS: '10s' })).toThrow('ZK_CHAOS_QUIET_MS must be a whole number of milliseconds, at least 1 (got "10s")');
    expect(() => parseSuiteConfig({ ZK_CHAOS_HOLD_MS: '0' })).toThrow(/ZK_CHAOS_HOLD_MS must be a whole number/);
    expect(() => parseSuiteConfig({ ZK_CHAOS_RANDOM_MS: '2m' })).toThrow('ZK_CHAOS_RANDOM_MS must be a whole number of milliseconds, at least 1 (got "2m")');
    // Past 2^53 - 1 a number is no longer exact: refused, not rounded.
    expect(() => parseSuiteConfig({ ZK_CHAOS_QUIET_MS: '99999999999999999999' })).toThrow('ZK_CHAOS_QUIET_MS must be a whole number of milliseconds, at least 1 (got "99999999999999999999")');
    expect(() => parseSuiteConfig({ ZK_CHAOS_NAMESPACE: 'ZK_Chaos' })).toThrow(/ZK_CHAOS_NAMESPACE must be a Kubernetes namespace name/);
  });
});
