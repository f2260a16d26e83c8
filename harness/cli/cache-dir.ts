import { join } from 'node:path';

/** Where the setup scripts keep kind, kubeconfigs and markers: the same rule as scripts/lib/common.sh. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  // `||`, not `??`: an empty variable counts as unset, as bash's ${VAR:-default} has it.
  return env.ZK_CHAOS_CACHE || join(env.XDG_CACHE_HOME || join(env.HOME || '/root', '.cache'), 'zk-chaos');
}
