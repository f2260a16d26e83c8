import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { V1Namespace } from '@kubernetes/client-node';
import { cacheDir } from '../../harness/cli/cache-dir.ts';
import { Kube } from '../../harness/kube/client.ts';
import { notYet, ready, waitFor } from '../../harness/kube/wait.ts';
import { nemesisFault } from '../../harness/nemesis/faults.ts';
import { SeededRandom } from '../../harness/workload/random.ts';
import { PROBE_SCRIPT, type EnsembleMember } from '../../harness/zookeeper/ensemble.ts';
import type { ServersReport } from '../../harness/zookeeper/server-report.ts';
import { NodeHelpers } from '../../harness/kube/node-helper.ts';
import { PodNet, throughHelperPods, throughKindNodes } from '../../harness/zookeeper/pod-net.ts';
import { ensembleNamespace } from '../../harness/zookeeper/ensemble-manifests.ts';
import { KubeEnsemble, type StartedKubeEnsemble } from '../../harness/zookeeper/kube-ensemble.ts';
import { KubeMembers } from '../../harness/zookeeper/kube-members.ts';
import { createTimesAcross, fourLetterWord, oneLeaderAmong, stopsServing } from '../support/member-probes.ts';

/**
 * The faults written once against Ensemble and Net, on the tutorial's ensemble in kind: a partition
 * really partitions (made inside the kind node, the members keep running as uid 1000 without
 * NET_ADMIN), a pause and an isolation really take their member away, the same through helper
 * pods (as on any cluster), and `zk-chaos run --target kind` plays a seeded schedule there.
 */
const cluster = process.env.ZK_CHAOS_CLUSTER ?? 'zk-chaos';
const log = (line: string) => console.log(`[kind-faults] ${line}`);
const ROOT = join(import.meta.dirname, '../..');
const results = mkdtempSync(join(tmpdir(), 'zk-chaos-kind-run-'));
let ensemble: StartedKubeEnsemble | undefined;

afterAll(async () => {
  await ensemble?.destroy();
  rmSync(results, { recursive: true, force: true });
});

describe('faults on the tutorial’s ensemble in kind', () => {
  it('partition (on members with a setting over the ConfigMap\'s, as hunts make): the leader cut off from its peers loses the lead, the other two elect one, its clients still reach it; the heal makes the ensemble whole', async () => {
    const kube = Kube.load({ context: `kind-${cluster}` });
    ensemble = await new KubeEnsemble(kube).inNamespace('zk-chaos-net').withImage(process.env.ZK_CHAOS_ZK_IMAGE ?? 'zk-chaos/zookeeper:local').withSettings({ ZK_MAX_CLIENT_CNXNS: '77' }).withAccess('port-forward').withLog(log).start();
    // Settings over the ConfigMap's (what hunts on Kubernetes use) reach every member's zoo.cfg.
    for (const endpoint of ensemble.endpoints()) expect(await fourLetterWord(endpoint.address, 'conf')).toMatch(/^maxClientCnxns=77$/m);
    const members = new KubeMembers(ensemble);
    const leader = await members.leader();
    const others = members.members.filter((m) => m.name !== leader.name);
    const modeOf = async (m: EnsembleMember) => (await members.status(m)).mode;
    const fault = nemesisFault('partition', [leader], members, new PodNet(ensemble, throughKindNodes), new SeededRandom(1));
    expect(await fault.inject()).toContain(`${leader.name} |`);
    try {
      await stopsServing(() => modeOf(leader), `${leader.name} to stop serving while cut off`, log);
      const modes = await oneLeaderAmong(() => Promise.all(others.map(modeOf)), 'a leader and a follower among the other two', log);
      expect(modes.sort()).toEqual(['follower', 'leader']);
      // Its client port still answers (through the port-forward, as a client reaches it).
      const endpoint = ensemble.endpoints().find((e) => e.name === leader.name)!;
      expect(await fourLetterWord(endpoint.address, 'srvr')).toMatch(/not currently serving|Zookeeper version/);
    } finally {
      await fault.heal();
    }
    const after = await Promise.all(members.members.map(modeOf));
    expect(after.filter((m) => m === 'leader')).toHaveLength(1);
    expect(after.filter((m) => m === 'follower')).toHaveLength(2);
    await ensemble.destroy();
    ensemble = undefined;
  }, 600_000);

  it('pause, isolate, slow and probe-delete through kind\'s nodes: a paused leader is replaced by the other two, an isolated follower stops serving, a write through a leader with slowed links waits seconds, a deleted probe script gets the container restarted; each heal makes the ensemble whole', async () => {
    const kube = Kube.load({ context: `kind-${cluster}` });
    const paused = await new KubeEnsemble(kube).inNamespace('zk-chaos-pause').withImage(process.env.ZK_CHAOS_ZK_IMAGE ?? 'zk-chaos/zookeeper:local').withAccess('port-forward').withLog(log).start();
    try {
      const members = new KubeMembers(paused);
      const net = new PodNet(paused, throughKindNodes);
      const modeOf = async (m: EnsembleMember) => (await members.status(m)).mode;
      const whole = async () => {
        const modes = await Promise.all(members.members.map(modeOf));
        expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
        expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
      };
      const leader = await members.leader();
      const others = members.members.filter((m) => m.name !== leader.name);
      // A fault that did nothing would leave the leader leading: the other two would never elect.
      const pause = nemesisFault('pause', [leader], members, net, new SeededRandom(3));
      await pause.inject();
      try {
        const modes = await oneLeaderAmong(() => Promise.all(others.map(modeOf)), 'a leader among the two the paused leader left', log);
        expect(modes.sort()).toEqual(['follower', 'leader']);
      } finally {
        await pause.heal();
      }
      await whole();
      const leaderNow = (await members.leader()).name;
      const follower = members.members.find((m) => m.name !== leaderNow)!;
      const isolate = nemesisFault('isolate', [follower], members, net, new SeededRandom(4));
      await isolate.inject();
      try {
        await stopsServing(() => modeOf(follower), `${follower.name} to stop serving while isolated`, log);
      } finally {
        await isolate.heal();
      }
      await whole();
      // Slowed links: a 16 KB write through the leader waits seconds for its quorum, then milliseconds.
      const slowLeader = await members.leader();
      const endpoint = paused.endpoints().find((e) => e.name === slowLeader.name)!;
      const { faulted, healed } = await createTimesAcross(endpoint, nemesisFault('slow', [slowLeader], members, net, new SeededRandom(5)));
      log(`a 16 KB create took ${Math.round(faulted)} ms on slowed links, ${Math.round(healed)} ms after the heal`);
      expect(faulted).toBeGreaterThan(2_000);
      expect(healed).toBeLessThan(1_500);
      // probe-delete: the kubelet's liveness probe fails, and it restarts the container from the image, script included.
      const probed = members.members[0]!;
      const restartsBefore = await paused.restartCount(probed.name);
      const probe = nemesisFault('probe-delete', [probed], members, net, new SeededRandom(6));
      expect(await probe.inject()).toContain(`${probed.name}: ${PROBE_SCRIPT} deleted`);
      expect((await paused.exec(probed.name, ['test', '-e', PROBE_SCRIPT])).exitCode).toBe(1);
      await probe.heal();
      expect(await paused.restartCount(probed.name)).toBeGreaterThan(restartsBefore);
      expect((await paused.exec(probed.name, ['test', '-x', PROBE_SCRIPT])).exitCode).toBe(0);
      await whole();
    } finally {
      await paused.destroy();
    }
  }, 900_000);

  it('partition and isolate through privileged helper pods, as on any cluster the harness cannot enter: the cut-off leader loses the lead, the isolated member stops serving; the heals make the ensemble whole', async () => {
    const kube = Kube.load({ context: `kind-${cluster}` });
    const helped = await new KubeEnsemble(kube).inNamespace('zk-chaos-helper-net').withImage(process.env.ZK_CHAOS_ZK_IMAGE ?? 'zk-chaos/zookeeper:local').withAccess('port-forward').withLog(log).start();
    try {
      const members = new KubeMembers(helped);
      const nodeHelpers = new NodeHelpers(kube, helped.namespace, () => helped.memberImage(), log);
      const net = new PodNet(helped, throughHelperPods(nodeHelpers));
      const modeOf = async (m: EnsembleMember) => (await members.status(m)).mode;
      const leader = await members.leader();
      const others = members.members.filter((m) => m.name !== leader.name);
      const partition = nemesisFault('partition', [leader], members, net, new SeededRandom(1));
      expect(await partition.inject()).toContain(`${leader.name} |`);
      try {
        await stopsServing(() => modeOf(leader), `${leader.name} to stop serving while cut off`, log);
        const modes = await oneLeaderAmong(() => Promise.all(others.map(modeOf)), 'a leader and a follower among the other two', log);
        expect(modes.sort()).toEqual(['follower', 'leader']);
      } finally {
        await partition.heal();
      }
      const healed = await Promise.all(members.members.map(modeOf));
      expect(healed.filter((m) => m === 'leader')).toHaveLength(1);
      // Isolated (clients too): the member stops serving, and its client port goes quiet.
      const leaderNow = (await members.leader()).name;
      const target = members.members.find((m) => m.name !== leaderNow)!;
      const isolate = nemesisFault('isolate', [target], members, net, new SeededRandom(2));
      await isolate.inject();
      try {
        await stopsServing(() => modeOf(target), `${target.name} to stop serving while isolated`, log);
      } finally {
        await isolate.heal();
      }
      const after = await Promise.all(members.members.map(modeOf));
      expect(after.filter((m) => m === 'leader')).toHaveLength(1);
      expect(after.filter((m) => m === 'follower')).toHaveLength(2);
      // One helper per member's node, privileged and in the node's PID namespace.
      const helpers = (await kube.core.listNamespacedPod({ namespace: helped.namespace, labelSelector: 'io.zk-chaos/node-helper=true' })).items;
      expect(helpers.length).toBeGreaterThanOrEqual(2);
      for (const pod of helpers) {
        expect(pod.spec?.hostPID).toBe(true);
        expect(pod.spec?.containers[0]?.securityContext?.privileged).toBe(true);
      }
      // The members themselves keep their securityContext: no capability was given to them.
      const member = await helped.pod('zk-0');
      expect(member.spec?.containers[0]?.securityContext?.privileged ?? false).toBe(false);
      // Closed, the helpers are deleted: root on the nodes is not left behind.
      await nodeHelpers.close();
      await waitFor('the helper pods to be gone', async () => {
        const left = (await kube.core.listNamespacedPod({ namespace: helped.namespace, labelSelector: 'io.zk-chaos/node-helper=true' })).items.length;
        return left === 0 ? ready(true) : notYet(`${left} left`);
      }, { timeoutMs: 120_000, log });
    } finally {
      await helped.destroy();
    }
  }, 900_000);

  it('zk-chaos run --target kind: a seeded schedule of partitions and kills, checked and reported; node ports an earlier ensemble left are taken back, anyone else\'s are refused', async () => {
    const kube = Kube.load({ context: `kind-${cluster}` });
    const image = process.env.ZK_CHAOS_ZK_IMAGE ?? 'zk-chaos/zookeeper:local';
    const holders = async (ports = [30181]) => (await kube.core.listServiceForAllNamespaces()).items.filter((svc) => svc.spec?.ports?.some((p) => p.nodePort !== undefined && ports.includes(p.nodePort)));
    const holdNodePorts = async (namespace: string, ports: number[]) => {
      for (const [i, port] of ports.entries()) {
        await kube.core.createNamespacedService({ namespace, body: { metadata: { name: `zk-${i}-client` }, spec: { type: 'NodePort', selector: { app: 'none' }, ports: [{ port: 2181, nodePort: port }] } } });
      }
    };
    // A namespace an earlier try of this test left may still be on its way out.
    const fresh = async (body: V1Namespace) => {
      const name = body.metadata?.name as string;
      await kube.core.deleteNamespace({ name }).catch(() => undefined);
      await waitFor(`namespace ${name} to be gone`, async () => ((await kube.core.readNamespace({ name }).then(() => true, () => false)) ? notYet('present') : ready(true)), { timeoutMs: 180_000, log });
      await kube.core.createNamespace({ body });
    };
    // Whatever holds any of the three node ports now (an earlier test's ensemble) is freed first.
    for (const svc of await holders([30181, 30182, 30183])) await kube.core.deleteNamespacedService({ name: svc.metadata?.name as string, namespace: svc.metadata?.namespace as string });
    // Someone else's Service on a node port the ensemble needs, in a namespace named like ours but
    // without the label: refused before anything is applied, naming the Service and the fix.
    await fresh({ metadata: { name: 'zk-chaos-foreign' } });
    await holdNodePorts('zk-chaos-foreign', [30181]);
    await expect(new KubeEnsemble(kube).inNamespace('zk-chaos-ports').withImage(image).withLog(log).start()).rejects.toThrow(
      /held by zk-chaos-foreign\/zk-0-client, which zk-chaos did not make .*kubectl delete service -n zk-chaos-foreign zk-0-client/,
    );
    await kube.core.deleteNamespacedService({ name: 'zk-0-client', namespace: 'zk-chaos-foreign' });
    await kube.core.deleteNamespace({ name: 'zk-chaos-foreign' });
    // What `npm run e2e -- --suites X` or an interrupted e2e leaves on a kept cluster: an ensemble
    // of the harness's holding the node ports. The run takes them back.
    await fresh(ensembleNamespace('zk-chaos-leftover'));
    await holdNodePorts('zk-chaos-leftover', [30181, 30182, 30183]);
    const leftover = (await holders()).map((svc) => `${svc.metadata?.namespace}/${svc.metadata?.name}`);
    expect(leftover).toEqual(['zk-chaos-leftover/zk-0-client']);
    const seed = 3;
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'harness/cli/zk-chaos.ts'), 'run', '--target', 'kind', '--nemesis', 'partition,kill,pause', '--time-limit', '90', '--interval', '8', '--seed', String(seed)],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ZK_CHAOS_RESULTS: results }, timeout: 900_000 },
    );
    const [header, row] = run.stdout.trim().split('\n');
    expect(header, run.stderr.slice(-3000)).toMatch(/^run\s+seed\s+faults/);
    expect(row, run.stderr.slice(-3000)).toMatch(new RegExp(`^1\\s+${seed}\\s+\\d+: \\S+\\s+\\d+\\s+\\d+\\s+\\d+ %\\s+valid\\s+\\S+report\\.html$`));
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).toContain(`node ports 30181, 30182, 30183 are held by ${leftover[0]}`);
    const [dir] = readdirSync(results).filter((d) => d.startsWith('run-kind-')).map((d) => join(results, d));
    const windows = readFileSync(join(dir!, 'faults.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((w) => w.event === 'end');
    expect(windows.length).toBeGreaterThan(1);
    windows.forEach((w) => expect(w.detail).toMatch(/zk-\d/));
    const servers = JSON.parse(readFileSync(join(dir!, 'servers.json'), 'utf8'));
    expect(servers.members.map((m: { name: string }) => m.name)).toEqual(['zk-0', 'zk-1', 'zk-2']);
  }, 900_000);

  it('zk-chaos run --target context:NAME: any cluster of the kubeconfig, through port-forwards, node loss by cordon + deletion, partitions through helper pods', async () => {
    const seed = 7; // kill(minority) at 10 s, partition(leader) at 24 s, pause(leader) at 45 s, node-loss(leader) at 64 s
    const cache = cacheDir();
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'harness/cli/zk-chaos.ts'), 'run', '--target', `context:kind-${cluster}`, '--image', process.env.ZK_CHAOS_ZK_IMAGE ?? 'zk-chaos/zookeeper:local',
        '--nemesis', 'kill,pause,restart-all,node-loss,partition', '--time-limit', '90', '--interval', '8', '--seed', String(seed)],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ZK_CHAOS_RESULTS: results, KUBECONFIG: join(cache, `kubeconfig-${cluster}`) }, timeout: 900_000 },
    );
    const row = run.stdout.trim().split('\n')[1] ?? '';
    expect(row, run.stderr.slice(-3000)).toMatch(new RegExp(`^1\\s+${seed}\\s+\\d+: \\S+\\s+\\d+\\s+\\d+\\s+\\d+ %\\s+valid\\s+\\S+report\\.html$`));
    expect(run.status).toBe(0);
    const dir = readdirSync(results).filter((d) => d.startsWith(`run-context-kind-${cluster}-`)).map((d) => join(results, d))[0];
    const windows = readFileSync(join(dir!, 'faults.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((w) => w.event === 'end');
    expect(windows.length).toBeGreaterThan(1);
    expect(windows.find((w) => w.name === 'node-loss')?.detail).toMatch(/node zk-chaos-worker\d* cordoned and zk-\d deleted at once/);
    expect(windows.find((w) => w.name === 'partition')?.detail).toMatch(/^leader: zk-\d \|/);
    // The heal uncordoned it: no node is left cordoned or marked.
    const nodes = (await Kube.load({ context: `kind-${cluster}` }).core.listNode()).items;
    expect(nodes.filter((n) => n.spec?.unschedulable || n.metadata?.annotations?.['io.zk-chaos/cordoned-by']).map((n) => n.metadata?.name)).toEqual([]);
  }, 900_000);

  it('zk-chaos run --target kind --nemesis ops: a bridge, a lost node (its container killed and started again) and a rolling restart of the pods, checked', () => {
    const seed = 3; // bridge(leader) at 10 s, node-loss(leader) at 59 s, rolling-restart at 99 s
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'harness/cli/zk-chaos.ts'), 'run', '--target', 'kind', '--nemesis', 'ops', '--time-limit', '150', '--interval', '15', '--seed', String(seed)],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ZK_CHAOS_RESULTS: results }, timeout: 1_200_000 },
    );
    const row = run.stdout.trim().split('\n')[1] ?? '';
    const dir = readdirSync(results).filter((d) => d.startsWith('run-kind-')).map((d) => join(results, d)).find((d) => existsSync(join(d, 'schedule.json')) && JSON.parse(readFileSync(join(d, 'schedule.json'), 'utf8')).mix.includes('bridge'));
    // ZooKeeper 3.8.0, the default image, can keep a hole of acknowledged writes in a member that
    // died with its node (README, "a member keeps a hole"); the member's own log then says its
    // state broke (a digest mismatch, an unrecoverable error). Such a run is invalid by right: the
    // verdict must be valid unless a member's log admits that.
    const servers = dir === undefined ? undefined : (JSON.parse(readFileSync(join(dir, 'servers.json'), 'utf8')) as ServersReport);
    const brokenStateAdmitted = (servers?.members ?? []).some((m) => m.logFindings.some((f) => f.kind === 'digest-mismatch' || f.kind === 'unrecoverable'));
    const verdicts = brokenStateAdmitted ? '(?:valid|invalid)' : 'valid';
    expect(row, run.stderr.slice(-3000)).toMatch(new RegExp(`^1\\s+${seed}\\s+3: bridge,node-loss,rolling-restart\\s+\\d+\\s+\\d+\\s+\\d+ %\\s+${verdicts}\\s+\\S+report\\.html$`));
    // Exit 0 for valid, 1 for invalid (the verdict's own codes).
    expect(run.status).toBe(/\sinvalid\s/.test(row) ? 1 : 0);
    const windows = readFileSync(join(dir!, 'faults.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((w) => w.event === 'end');
    expect(windows.map((w) => w.name)).toEqual(['bridge', 'node-loss', 'rolling-restart']);
    expect(windows[0].detail).toMatch(/^leader: zk-\d bridges the halves/);
    expect(windows[1].detail).toMatch(new RegExp(`^leader: zk-\\d: node ${cluster}-worker\\d? lost \\(docker kill`));
    expect(windows[2].detail).toContain('restarted one at a time: zk-2, zk-1, zk-0');
    // The lost node's member died with it: the pod watch saw its container restart when the node came back.
    const lostMember = /^leader: (zk-\d)/.exec(windows[1].detail)?.[1];
    const events = readFileSync(join(dir!, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.some((e) => e.source === 'pod-watch' && e.kind === 'restart' && e.detail.startsWith(`${lostMember} `)), JSON.stringify(events.slice(-30))).toBe(true);
    // After it all, every member serves again and they agree on the last transaction.
    expect(servers?.zxidsAgree).toBe(true);
  }, 1_200_000);
  it('zk-chaos run --target kind --nemesis tutorial,pod-delete: the pods deleted together, a pod deleted, pkill java, a node drained (its member Pending until the uncordon), checked', async () => {
    const seed = 4; // restart-all at 10 s, pod-delete(leader) at 30 s, terminate(one) at 52 s, drain(one) at 70 s, pod-delete(leader) at 93 s
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'harness/cli/zk-chaos.ts'), 'run', '--target', 'kind', '--nemesis', 'tutorial,pod-delete', '--time-limit', '150', '--interval', '12', '--seed', String(seed)],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ZK_CHAOS_RESULTS: results }, timeout: 1_200_000 },
    );
    const row = run.stdout.trim().split('\n')[1] ?? '';
    expect(row, run.stderr.slice(-3000)).toMatch(new RegExp(`^1\\s+${seed}\\s+5: restart-all,pod-delete,terminate,drain\\s+\\d+\\s+\\d+\\s+\\d+ %\\s+valid\\s+\\S+report\\.html$`));
    expect(run.status).toBe(0);
    const dir = readdirSync(results).filter((d) => d.startsWith('run-kind-')).map((d) => join(results, d)).find((d) => JSON.parse(readFileSync(join(d, 'schedule.json'), 'utf8')).mix.includes('drain'));
    const windows = readFileSync(join(dir!, 'faults.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((w) => w.event === 'end');
    expect(windows.map((w) => w.name)).toEqual(['restart-all', 'pod-delete', 'terminate', 'drain', 'pod-delete']);
    expect(windows[0].detail).toBe('all: stopped zk-0, zk-1, zk-2');
    expect(windows[1].detail).toMatch(/^leader: zk-\d: pod deleted \(SIGTERM, 10 s grace; its claim kept\)$/);
    expect(windows[2].detail).toMatch(/^one: zk-\d: JVM sent SIGTERM \(pkill java\); the kubelet restarts the container/);
    const drained = new RegExp(`^one: (zk-\\d): node (${cluster}-worker\\d?) drained: zk-\\d evicted$`).exec(windows[3].detail);
    expect(drained, windows[3].detail).not.toBeNull();
    // The evicted member was deleted in the drain's window and scheduled again only at the uncordon,
    // on the same node (its local-path volume pins it there): a drain that did not cordon would see
    // it back within a second, as a deleted pod is.
    const events = readFileSync(join(dir!, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const member = drained![1]!;
    const deleted = events.find((e) => e.source === 'pod-watch' && e.kind === 'deleted' && e.detail === member && e.time >= windows[3].start && e.time <= windows[3].end);
    expect(deleted, JSON.stringify(events.slice(-40))).toBeDefined();
    const scheduled = events.find((e) => e.source === 'pod-watch' && e.kind === 'scheduled' && e.detail.startsWith(`${member} on `) && e.time > deleted.time);
    expect(scheduled.detail).toBe(`${member} on ${drained![2]}`);
    expect((scheduled.time - deleted.time) / 1e6).toBeGreaterThan(4_000);
    const servers = JSON.parse(readFileSync(join(dir!, 'servers.json'), 'utf8'));
    expect(servers.zxidsAgree).toBe(true);
    // Every node the drains cordoned is schedulable again, its mark gone.
    const nodes = (await Kube.load({ context: `kind-${cluster}` }).core.listNode()).items;
    expect(nodes.filter((n) => n.spec?.unschedulable || n.metadata?.annotations?.['io.zk-chaos/cordoned-by']).map((n) => n.metadata?.name)).toEqual([]);
  }, 1_200_000);
});
