import type { StorageMode } from '../zookeeper/ensemble-manifests.ts';
import type { MemberAccess } from '../zookeeper/kube-ensemble.ts';
import { wholeNumber } from './whole-number.ts';

/**
 * What the Kubernetes suites are told, as one typed object. `npm run e2e` passes it to the suites'
 * processes as ZK_CHAOS_* variables (vitest runs them apart); it is read and checked here once, so
 * a wrong value is one clear error naming the variable and what it may be, never a default in
 * disguise or a failure deep inside a suite.
 */
export interface SuiteConfig {
  /** kubeconfig context of the cluster. */
  context: string;
  kubeconfig: string | undefined;
  /** Namespace of the main ensemble (the negative control uses `<namespace>-negative`). */
  namespace: string;
  image: string;
  storage: StorageMode;
  /** nodeport (kind's mapped ports on 127.0.0.1) or port-forward (through the API server, any cluster). */
  access: MemberAccess;
  /** Workload time before, between and after faults. */
  quietMs: number;
  /** How long a scheduled fault is held. */
  holdMs: number;
  /** Length of the random suite's seeded fault schedule (recovery included). */
  randomMs: number;
}

export class SuiteConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuiteConfigError';
  }
}

const STORAGE: readonly StorageMode[] = ['local-path', 'shared', 'ephemeral'];
const ACCESS: readonly MemberAccess[] = ['nodeport', 'port-forward'];

export function parseSuiteConfig(env: Readonly<Record<string, string | undefined>>): SuiteConfig {
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    if (!(allowed as readonly string[]).includes(value)) throw new SuiteConfigError(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return value as T;
  };
  const milliseconds = (name: string, fallback: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const n = wholeNumber(value, 1);
    if (n === undefined) throw new SuiteConfigError(`${name} must be a whole number of milliseconds, at least 1 (got "${value}")`);
    return n;
  };
  const namespace = env.ZK_CHAOS_NAMESPACE || 'zk-chaos';
  if (!/^[a-z0-9]([-a-z0-9]{0,52}[a-z0-9])?$/.test(namespace)) {
    throw new SuiteConfigError(`ZK_CHAOS_NAMESPACE must be a Kubernetes namespace name of at most 54 characters (lower case, digits, '-'), got "${namespace}"`);
  }
  return {
    context: env.ZK_CHAOS_CONTEXT || 'kind-zk-chaos',
    kubeconfig: env.ZK_CHAOS_KUBECONFIG || undefined,
    namespace,
    image: env.ZK_CHAOS_ZK_IMAGE || 'zk-chaos/zookeeper:local',
    storage: oneOf('ZK_CHAOS_STORAGE', STORAGE, 'local-path'),
    access: oneOf('ZK_CHAOS_ACCESS', ACCESS, 'nodeport'),
    quietMs: milliseconds('ZK_CHAOS_QUIET_MS', 10_000),
    holdMs: milliseconds('ZK_CHAOS_HOLD_MS', 5_000),
    randomMs: milliseconds('ZK_CHAOS_RANDOM_MS', 120_000),
  };
}
