import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '../workload/random.ts';

export interface E2eOptions {
  context?: string;
  kubeconfig?: string;
  suites?: string;
  seed?: string;
  duration?: string;
  storage?: string;
  image?: string;
  access?: string;
  keep?: boolean;
  offline?: boolean;
  online?: boolean;
}

const SUITES_DIR = 'suites';

/** Suite names from suites/NN-<name>.test.ts, in order. */
export function availableSuites(dir = SUITES_DIR): Array<{ name: string; file: string }> {
  return readdirSync(dir)
    .filter((f) => /^\d+-.+\.test\.ts$/.test(f))
    .sort()
    .map((file) => ({ name: file.replace(/^\d+-/, '').replace(/\.test\.ts$/, ''), file: join(dir, file) }));
}

/** Resolves --suites to files; an unknown name is an error that lists the known ones. */
export function selectSuites(list: string | undefined, dir = SUITES_DIR): string[] {
  const all = availableSuites(dir);
  if (!list) return all.map((s) => s.file);
  return list.split(',').map((name) => {
    const found = all.find((s) => s.name === name.trim());
    if (!found) throw new Error(`unknown suite "${name}"; suites: ${all.map((s) => s.name).join(', ')}`);
    return found.file;
  });
}

/** Why the suites could not reach the cluster (kubeconfig, context, API server), or undefined. */
async function preflight(context: string, kubeconfig: string | undefined): Promise<string | undefined> {
  const { Kube, describeError } = await import('../kube/client.ts');
  try {
    const kube = Kube.load({ context, ...(kubeconfig ? { kubeconfig } : {}) });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the API server of context ${context} did not answer within 20 s; check the cluster and --context`)), 20_000);
    });
    try {
      await Promise.race([kube.ping(), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}

/** Whether kind lists the cluster (the kind binary cluster:up used, else the PATH's). */
function clusterExists(name: string, cache: string): boolean {
  const recorded = join(cache, 'kind-binary');
  const kind = existsSync(recorded) ? readFileSync(recorded, 'utf8').trim() : 'kind';
  const listed = spawnSync(kind, ['get', 'clusters'], { encoding: 'utf8' });
  return listed.status === 0 && listed.stdout.split('\n').includes(name);
}

/**
 * `npm run e2e`: the cluster (unless --context names one), the ZooKeeper image loaded into it,
 * the suites in order, test-results/ (JUnit, and per suite its history, verdict and report),
 * teardown of a cluster it created unless --keep. Ctrl-C stops the suites and still tears down.
 */
export async function e2eCommand(options: E2eOptions): Promise<number> {
  const timings: Record<string, number> = {};
  let files: string[];
  try {
    files = selectSuites(options.suites);
  } catch (error) {
    console.error(`zk-chaos e2e: ${(error as Error).message}`);
    return 2;
  }
  if (options.seed !== undefined && !/^\d+$/.test(options.seed)) {
    console.error(`zk-chaos e2e: --seed must be a non-negative integer, got "${options.seed}"`);
    return 2;
  }
  if (options.access && !['nodeport', 'port-forward'].includes(options.access)) {
    console.error(`zk-chaos e2e: --access must be nodeport or port-forward, got "${options.access}"`);
    return 2;
  }
  if (options.storage && !['local-path', 'shared'].includes(options.storage)) {
    console.error(`zk-chaos e2e: --storage must be local-path or shared, got "${options.storage}"`);
    return 2;
  }
  const seed = options.seed ?? String(SeededRandom.freshSeed());
  console.log(`[e2e] seed ${seed} (rerun with: npm run e2e -- --seed ${seed})`);
  const cluster = process.env.ZK_CHAOS_CLUSTER ?? 'zk-chaos';
  const cache = process.env.ZK_CHAOS_CACHE ?? join(process.env.HOME ?? '/root', '.cache', 'zk-chaos');
  const createdMarker = join(cache, `cluster-created-${cluster}`);
  let interrupted = false;
  let child: ReturnType<typeof spawn> | undefined;
  const onSignal = () => {
    interrupted = true;
    console.error('[e2e] interrupted: stopping the suites, then cleaning up (use --keep to keep the cluster)');
    child?.kill('SIGINT');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const run = (what: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> =>
    new Promise((resolve) => {
      const started = Date.now();
      console.log(`[e2e] ${what} ...`);
      child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
      child.on('exit', (code, signal) => {
        timings[what] = Math.round((Date.now() - started) / 1000);
        console.log(`[e2e] ${what}: ${code === 0 ? 'done' : `failed (${signal ?? `exit ${code}`})`} in ${timings[what]} s`);
        resolve(code ?? 1);
      });
    });

  let exitCode = 1;
  try {
    const context = options.context ?? `kind-${cluster}`;
    if (!options.context) {
      // The marker says "this run created the cluster"; one left by an earlier cluster:up is not ours.
      rmSync(createdMarker, { force: true });
      const env: NodeJS.ProcessEnv = options.offline ? { ZK_CHAOS_OFFLINE: '1' } : options.online ? { ZK_CHAOS_OFFLINE: '0' } : {};
      if ((await run('cluster up', 'bash', ['scripts/cluster-up.sh'], env)) !== 0) {
        console.error('[e2e] the cluster could not be created; see the step that failed above');
        return 1;
      }
    }
    if (interrupted) return 130;
    // A wrong context or kubeconfig is one line here, not a stack trace inside every suite.
    const unreachable = await preflight(context, options.kubeconfig);
    if (unreachable) {
      console.error(`zk-chaos e2e: ${unreachable}`);
      return 2;
    }
    mkdirSync('test-results', { recursive: true });
    exitCode = await run('suites', 'vitest', ['run', '--project', 'e2e', ...files], {
      ZK_CHAOS_SEED: seed,
      ZK_CHAOS_CONTEXT: context,
      ...(options.kubeconfig ? { ZK_CHAOS_KUBECONFIG: options.kubeconfig } : {}),
      ...(options.duration ? { ZK_CHAOS_QUIET_MS: String(Number(options.duration) * 1000) } : {}),
      ...(options.storage ? { ZK_CHAOS_STORAGE: options.storage } : {}),
      ...(options.image ? { ZK_CHAOS_ZK_IMAGE: options.image } : {}),
      // NodePorts on 127.0.0.1 are what kind-config.yaml maps; any other cluster is reached
      // through the API server.
      ZK_CHAOS_ACCESS: options.access ?? (options.context ? 'port-forward' : 'nodeport'),
    });
    return interrupted ? 130 : exitCode;
  } finally {
    const created = existsSync(createdMarker);
    if (!options.context && created && !options.keep) {
      await run('cluster down', 'bash', ['scripts/cluster-down.sh']);
      rmSync(createdMarker, { force: true });
    } else if (!options.context && clusterExists(cluster, cache)) {
      console.log(`[e2e] keeping cluster ${cluster} (${options.keep ? '--keep' : 'it existed before this run'}); delete it with: npm run cluster:down`);
    } else if (!options.context) {
      console.log(`[e2e] no cluster ${cluster} exists: nothing to clean up`);
    }
    writeFileSync(join('test-results', 'e2e-timings.json'), JSON.stringify({ seed, timings, exitCode }, null, 2) + '\n');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
