import type { V1StatefulSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { e2eOptionProblem, selectSuites } from '../../harness/cli/e2e-command.ts';
import { ensembleManifests, readManifests, SHARED_STORAGE_CLASS } from '../../harness/zookeeper/ensemble-manifests.ts';

const objects = readManifests('manifests');
const statefulSet = (variant: Parameters<typeof ensembleManifests>[1]) =>
  ensembleManifests(objects, variant).find((o) => o.kind === 'StatefulSet') as V1StatefulSet;

describe('manifests/', () => {
  it('holds the tutorial ensemble with the seed defects fixed', () => {
    const kinds = objects.map((o) => `${o.kind}/${o.metadata?.name}`);
    expect(kinds).toEqual(expect.arrayContaining(['ConfigMap/zk-config', 'StatefulSet/zk', 'Service/zk-hs', 'Service/zk-cs', 'PodDisruptionBudget/zk-pdb']));
    const sts = statefulSet({ image: 'img', storage: 'local-path' });
    const env = sts.spec?.template.spec?.containers[0]?.env ?? [];
    // The seed fed ZK_SYNC_LIMIT from the key "tick".
    expect(env.find((e) => e.name === 'ZK_SYNC_LIMIT')?.valueFrom?.configMapKeyRef?.key).toBe('sync');
    // The anti-affinity must select the pods' own label.
    const term = sts.spec?.template.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0];
    expect(term?.labelSelector?.matchLabels).toEqual(sts.spec?.template.metadata?.labels);
    expect(term?.topologyKey).toBe('kubernetes.io/hostname');
    // The probes run zkOk.sh through a shell: exec of a deleted script is a discarded probe error.
    const container = sts.spec?.template.spec?.containers[0];
    expect(container?.livenessProbe?.exec?.command).toEqual(['sh', '-c', 'zkOk.sh']);
    expect(container?.readinessProbe?.exec?.command).toEqual(['sh', '-c', 'zkOk.sh']);
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget');
    expect(pdb?.apiVersion).toBe('policy/v1');
  });

  it('makes the variants: image, shared storage class, emptyDir for the negative control', () => {
    expect(statefulSet({ image: 'zk:test', storage: 'local-path' }).spec?.template.spec?.containers[0]?.image).toBe('zk:test');
    expect(statefulSet({ image: 'x', storage: 'shared' }).spec?.volumeClaimTemplates?.[0]?.spec?.storageClassName).toBe(SHARED_STORAGE_CLASS);
    const ephemeral = statefulSet({ image: 'x', storage: 'ephemeral' });
    expect(ephemeral.spec?.volumeClaimTemplates).toBeUndefined();
    expect(ephemeral.spec?.template.spec?.volumes).toContainEqual({ name: 'datadir', emptyDir: {} });
    // The originals are untouched.
    expect(statefulSet({ image: 'x', storage: 'local-path' }).spec?.volumeClaimTemplates).toHaveLength(1);
  });

  it('sets a hunt\'s settings on the container over the ConfigMap\'s, each name once', () => {
    const env = statefulSet({ image: 'x', storage: 'local-path', settings: { ZK_TICK_TIME: '500', ZK_SNAP_COUNT: '100' } }).spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.filter((e) => e.name === 'ZK_TICK_TIME')).toEqual([{ name: 'ZK_TICK_TIME', value: '500' }]);
    expect(env.filter((e) => e.name === 'ZK_SNAP_COUNT')).toEqual([{ name: 'ZK_SNAP_COUNT', value: '100' }]);
    // The others still come from the ConfigMap, and the manifests read from disk are untouched.
    expect(env.find((e) => e.name === 'ZK_SYNC_LIMIT')?.valueFrom?.configMapKeyRef?.key).toBe('sync');
    const plain = statefulSet({ image: 'x', storage: 'local-path' }).spec?.template.spec?.containers[0]?.env ?? [];
    expect(plain.find((e) => e.name === 'ZK_TICK_TIME')?.valueFrom?.configMapKeyRef?.key).toBe('tick');
  });

  it('leaves out the per-member NodePorts when the members are reached through port-forwards', () => {
    const names = (access?: 'nodeport' | 'port-forward') =>
      ensembleManifests(objects, { image: 'x', storage: 'local-path', ...(access ? { access } : {}) }).map((o) => `${o.kind}/${o.metadata?.name}`);
    expect(names()).toEqual(expect.arrayContaining(['Service/zk-0-client', 'Service/zk-1-client', 'Service/zk-2-client']));
    expect(names('nodeport')).toEqual(names());
    const forwarded = names('port-forward');
    expect(forwarded.filter((n) => n.endsWith('-client'))).toEqual([]);
    expect(forwarded).toEqual(expect.arrayContaining(['Service/zk-hs', 'Service/zk-cs', 'StatefulSet/zk']));
    expect(forwarded).toHaveLength(names().length - 3);
  });
});

describe('selectSuites', () => {
  it('runs every suite in order by default, or the ones named', () => {
    const all = selectSuites(undefined);
    expect(all[0]).toMatch(/01-health\.test\.ts$/);
    expect(all.at(-2)).toMatch(/random\.test\.ts$/);
    // Last: its own ensemble takes the NodePorts, and its namespace is still going when e2e ends.
    expect(all.at(-1)).toMatch(/negative-control\.test\.ts$/);
    expect(selectSuites('pkill-java,health')).toEqual(['suites/03-pkill-java.test.ts', 'suites/01-health.test.ts']);
  });

  it('names the unknown suite and the known ones', () => {
    expect(() => selectSuites('health,chaos-monkey')).toThrow(/unknown suite "chaos-monkey"; suites: health, statefulset-recreate/);
  });

  it('refuses an empty list rather than running every suite', () => {
    expect(() => selectSuites('')).toThrow(/--suites names no suite; give one or more of: health, /);
    expect(() => selectSuites(' ')).toThrow(/--suites names no suite/);
  });
});

describe('e2e options', () => {
  it('passes the defaults and good values', () => {
    expect(e2eOptionProblem({})).toBeUndefined();
    expect(e2eOptionProblem({ seed: '0', duration: '10', randomTime: '120', access: 'port-forward', storage: 'shared', zkVersion: '3.9.5', offline: true })).toBeUndefined();
    expect(e2eOptionProblem({ seed: String(Number.MAX_SAFE_INTEGER) })).toBeUndefined();
    for (const duration of ['2.5', '0.001', '60']) expect(e2eOptionProblem({ duration })).toBeUndefined();
  });

  it('refuses, before anything starts, a value the suites would refuse after the cluster is built', () => {
    expect(e2eOptionProblem({ seed: '99999999999999999999' })).toBe('--seed must be a whole number from 0 to 9007199254740991 (got "99999999999999999999")');
    expect(e2eOptionProblem({ seed: '-1' })).toMatch(/^--seed must be a whole number/);
    // Past 9007199254740 s the milliseconds the suites take are no longer exact.
    for (const duration of ['abc', '0', '0.0004', '-5', '1.2345', '1e3', '', '9007199254741', '99999999999999999999']) {
      expect(e2eOptionProblem({ duration })).toBe(`--duration must be a number of seconds from 0.001 to 9007199254740, to the millisecond at most (got "${duration}")`);
    }
    for (const randomTime of ['0', 'x', '9007199254741']) expect(e2eOptionProblem({ randomTime })).toBe(`--random-time must be a whole number of seconds from 1 to 9007199254740 (got "${randomTime}")`);
    expect(e2eOptionProblem({ duration: '9007199254740', randomTime: '9007199254740' })).toBeUndefined();
    expect(e2eOptionProblem({ access: 'ssh' })).toBe('--access must be nodeport or port-forward (got "ssh")');
    expect(e2eOptionProblem({ storage: 'nfs' })).toBe('--storage must be local-path or shared (got "nfs")');
    expect(e2eOptionProblem({ image: 'zk:1', zkVersion: '3.9.5' })).toBe('give --image or --zk-version, not both');
    expect(e2eOptionProblem({ zkVersion: 'latest' })).toMatch(/^--zk-version needs a ZooKeeper release number/);
    expect(e2eOptionProblem({ offline: true, online: true })).toBe('give --offline or --online, not both');
  });
});
