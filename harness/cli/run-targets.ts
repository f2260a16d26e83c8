import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kube } from '../kube/client.ts';
import { cacheDir } from './cache-dir.ts';
import type { Endpoint } from '../workload/runner.ts';
import { docker } from '../zookeeper/docker-cli.ts';
import { DockerEnsemble } from '../zookeeper/docker-ensemble.ts';
import { DockerNet } from '../zookeeper/docker-net.ts';
import type { Ensemble, EnsembleMember, Net } from '../zookeeper/ensemble.ts';
import { PodNet, throughHelperPods, throughKindNodes } from '../zookeeper/pod-net.ts';
import { NodeHelpers } from '../kube/node-helper.ts';
import { KubeEnsemble } from '../zookeeper/kube-ensemble.ts';
import { KubeMembers } from '../zookeeper/kube-members.ts';
import { uncordonLeftBy } from '../kube/drain.ts';
import { watchApiServer } from '../kube/api-server-watch.ts';
import { watchDockerEngine } from '../zookeeper/docker-engine-watch.ts';
import { watchAll, type TestRunOptions } from '../run/test-run.ts';
import { readEnvironment } from '../run/environment.ts';

/** A started ensemble as `zk-chaos run` uses it, whatever runs it. */
export interface StartedTarget {
  ensemble: Ensemble<EnsembleMember>;
  net: Net<EnsembleMember>;
  stop(): Promise<void>;
  /** Watches what the run stands on besides ZooKeeper (see TestRunOptions.dependencies). */
  dependencies?: TestRunOptions['dependencies'];
  /** Records what happens to the members beside the history (Kubernetes: pod changes, dropped execs). */
  observe?: TestRunOptions['observe'];
}

export interface StartOptions {
  seed: number;
  /** ZooKeeper settings (zkGenConfig.sh's environment) for every member. */
  zookeeper: Record<string, string>;
  /** Restarted members come back at new network addresses (Docker; on Kubernetes a recreated pod always does). */
  newAddresses: boolean;
  /** One member's transaction log on a slow disk (Docker only: see DockerEnsemble.withSlowFsync). */
  slowFsync?: { member: string; delayMs: number };
  /** Names this command's resources (a Docker label), so an interrupted start can be cleaned up. */
  owner: string;
  log: (line: string) => void;
}

/** Where runs happen: one implementation per backend, as kind has one provider per runtime. */
export interface RunTarget {
  /** docker, kind, context:NAME */
  name: string;
  /** Makes the image usable there (kind: loaded into the nodes). */
  prepare(image: string): void;
  /** The target pulls images itself: --image is required, and no local Docker engine or image build is needed. */
  pullsImages?: boolean;
  start(image: string, options: StartOptions): Promise<StartedTarget>;
  /**
   * Removes whatever a start interrupted halfway left (containers, networks, the namespace): the
   * started ensemble's stop() cannot, as there is none yet.
   */
  abandon(owner: string): Promise<void>;
}

const CLUSTER = readEnvironment().cluster;
const RUN_NAMESPACE = 'zk-chaos-run';
const CACHE = cacheDir();
/** The kind cluster npm run cluster:up made, through the kubeconfig it wrote. */
const kindKube = (): Kube => Kube.load({ kubeconfig: join(CACHE, `kubeconfig-${CLUSTER}`), context: `kind-${CLUSTER}` });

/** Parses --target; throws naming the known targets. */
export function runTarget(name: string): RunTarget {
  if (name === 'docker') return DOCKER;
  if (name === 'kind') return KIND;
  if (name.startsWith('context:') && name.length > 'context:'.length) return contextTarget(name.slice('context:'.length));
  throw new Error(`unknown --target "${name}": use docker, kind, or context:NAME (a context of your kubeconfig)`);
}

const DOCKER: RunTarget = {
  name: 'docker',
  prepare: () => {},
  async start(image, { seed, zookeeper, newAddresses, slowFsync, owner }) {
    let ensemble = new DockerEnsemble(image).withEnvironment(zookeeper).withNewAddressOnRestart(newAddresses).withLabels({ 'io.zk-chaos.run': String(seed), [OWNER_LABEL]: owner });
    if (slowFsync) ensemble = ensemble.withSlowFsync(slowFsync.member, slowFsync.delayMs);
    const started = await ensemble.start();
    return { ensemble: started, net: new DockerNet(started), stop: () => started.stop(), dependencies: watchDockerEngine };
  },
  async abandon(owner) {
    // Synchronous on purpose: the start being abandoned is still making containers in this event
    // loop; blocking it while listing and removing means nothing is made after the listing.
    const dockerSync = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
    const containers = dockerSync('ps', '-aq', '--filter', `label=${OWNER_LABEL}=${owner}`);
    if (containers.length > 0) dockerSync('rm', '-f', ...containers);
    const networks = dockerSync('network', 'ls', '-q', '--filter', `label=${OWNER_LABEL}=${owner}`);
    if (networks.length > 0) dockerSync('network', 'rm', ...networks);
  },
};

const OWNER_LABEL = 'io.zk-chaos.command';

/**
 * Any cluster of the kubeconfig (KUBECONFIG or ~/.kube/config), by context: the tutorial's
 * manifests in namespace zk-chaos-run, members reached through port-forwards (the API server is
 * the only way in that every cluster has), the image pulled by the cluster itself (--image must
 * name one it can pull). Faults of the network enter the members' network namespaces through a
 * privileged helper pod on their nodes (NodeHelpers). A node is lost the way the API allows on any
 * cluster: cordoned, and the member on it deleted at once.
 */
function contextTarget(context: string): RunTarget {
  const kube = (): Kube => Kube.load({ context });
  return {
    name: `context:${context}`,
    prepare: () => {},
    pullsImages: true,
    async start(image, { zookeeper, log }) {
      const cluster = kube();
      await cluster.ping();
      const started = await new KubeEnsemble(cluster).inNamespace(RUN_NAMESPACE).withImage(image).withSettings(zookeeper).withAccess('port-forward').withLog(log).start();
      const helpers = new NodeHelpers(cluster, RUN_NAMESPACE, () => started.memberImage(), log);
      const stop = async (): Promise<void> => {
        // A node this run cordoned and did not get to uncordon (the run failed mid-fault) is not left so.
        await uncordonLeftBy(cluster, RUN_NAMESPACE);
        await helpers.close();
        await started.destroy();
      };
      return { ensemble: new KubeMembers(started, { nodeLoss: 'cordon-and-delete' }), net: new PodNet(started, throughHelperPods(helpers)), stop, dependencies: watchApiServer(cluster), observe: (ctx) => started.observe(ctx.events) };
    },
    async abandon() {
      const cluster = kube();
      const uncordoned = await uncordonLeftBy(cluster, RUN_NAMESPACE).catch(() => []);
      if (uncordoned.length > 0) console.error(`[run] uncordoned ${uncordoned.join(', ')}, cordoned by the interrupted run`);
      await cluster.core.deleteNamespace({ name: RUN_NAMESPACE }).catch(() => undefined);
    },
  };
}


/**
 * The kind cluster `npm run cluster:up` made (ZK_CHAOS_CLUSTER, default zk-chaos): the tutorial's
 * manifests in a namespace of their own, members reached through the NodePorts kind-config.yaml
 * publishes on 127.0.0.1, partitions made inside the kind nodes (PodNet through the nodes' containers).
 */
const KIND: RunTarget = {
  name: 'kind',
  prepare(image) {
    const kubeconfig = join(CACHE, `kubeconfig-${CLUSTER}`);
    const kind = existsSync(join(CACHE, 'kind-binary')) ? readFileSync(join(CACHE, 'kind-binary'), 'utf8').trim() : 'kind';
    if (!existsSync(kubeconfig)) throw new Error(`no kind cluster ${CLUSTER} (${kubeconfig} is missing): create it with npm run cluster:up (npm run cluster:down removes it)`);
    const workers = execFileSync(kind, ['get', 'nodes', '--name', CLUSTER], { encoding: 'utf8' }).split('\n').filter((n) => n && !n.includes('control-plane'));
    if (workers.length === 0) throw new Error(`kind cluster ${CLUSTER} has no worker nodes: recreate it with npm run cluster:down && npm run cluster:up`);
    execFileSync(kind, ['load', 'docker-image', '--name', CLUSTER, '--nodes', workers.join(','), image], { stdio: ['ignore', 'ignore', 'inherit'] });
  },
  async start(image, { zookeeper, log }) {
    const kube = kindKube();
    await kube.ping();
    const started = await new KubeEnsemble(kube).inNamespace(RUN_NAMESPACE).withImage(image).withSettings(zookeeper).withAccess('nodeport').withLog(log).start();
    // kind's nodes are the Docker engine's containers: the engine is under this run too.
    const stop = async (): Promise<void> => {
      // A node this run's drain cordoned and did not get to uncordon (the run failed mid-fault) is not left so.
      await uncordonLeftBy(kube, RUN_NAMESPACE);
      await started.destroy();
    };
    return { ensemble: new KubeMembers(started), net: new PodNet(started, throughKindNodes), stop, dependencies: watchAll(watchApiServer(kube), watchDockerEngine), observe: (ctx) => started.observe(ctx.events) };
  },
  async abandon() {
    // A node a node-loss fault killed comes back: the heal that would have started it never ran.
    const stopped = (await docker(['ps', '-a', '--filter', `label=io.x-k8s.kind.cluster=${CLUSTER}`, '--filter', 'status=exited', '--format', '{{.Names}}']).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
    if (stopped.length > 0) {
      console.error(`[run] starting ${stopped.join(', ')} again, stopped by the interrupted run's node-loss`);
      await docker(['start', ...stopped]).catch((error: unknown) => console.error(`[run] could not start ${stopped.join(', ')}: ${error instanceof Error ? error.message : String(error)}; npm run cluster:up starts them`));
    }
    const kube = kindKube();
    const uncordoned = await uncordonLeftBy(kube, RUN_NAMESPACE).catch(() => []);
    if (uncordoned.length > 0) console.error(`[run] uncordoned ${uncordoned.join(', ')}, cordoned by the interrupted run's drain`);
    // One namespace per target run: the next run waits for it to be gone (KubeEnsemble.start).
    await kube.core.deleteNamespace({ name: RUN_NAMESPACE }).catch(() => undefined);
  },
};
