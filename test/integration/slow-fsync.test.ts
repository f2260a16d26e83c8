import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerEnsemble, type StartedDockerEnsemble } from '../../harness/zookeeper/docker-ensemble.ts';

/**
 * A member on a slow disk (withSlowFsync: a slowfs FUSE mount as its data folder): its fsyncs
 * really wait, the other members' do not, the ensemble still forms, and the mount goes with the
 * ensemble.
 */
const DELAY_MS = 1_000;
/** slowfs mounts directly (a FUSE mount), which only root can: without root these are reported skipped, never passed. */
const canMount = process.platform === 'linux' && process.getuid?.() === 0;
let ensemble: StartedDockerEnsemble;

beforeAll(async () => {
  if (!canMount) return;
  ensemble = await new DockerEnsemble(inject('zkImage')).withSlowFsync('zk-1', DELAY_MS).withLabels({ 'io.zk-chaos.test': 'slow-fsync' }).start();
}, 300_000);
afterAll(async () => {
  await ensemble?.stop();
});

/** How long a 4 KiB write with fsync takes in the member's transaction log folder, in ms. */
async function fsyncMs(name: string): Promise<number> {
  const member = ensemble.member(name);
  const started = performance.now();
  const { exitCode, output } = await ensemble.exec(member, ['dd', 'if=/dev/zero', 'of=/var/lib/zookeeper/log/fsync-probe', 'bs=4k', 'count=1', 'conv=fsync']);
  expect(exitCode, output).toBe(0);
  return performance.now() - started;
}

describe.runIf(canMount)('a member on a slow disk (needs root on Linux)', () => {
  it('waits on each fsync of its data; the other members do not; the ensemble forms all the same', async () => {
    const mounts = await ensemble.exec(ensemble.member('zk-1'), ['cat', '/proc/mounts']);
    expect(mounts.output).toMatch(/^slowfs \/var\/lib\/zookeeper fuse\.slowfs /m);
    expect(await fsyncMs('zk-1')).toBeGreaterThanOrEqual(DELAY_MS);
    expect(await fsyncMs('zk-0')).toBeLessThan(DELAY_MS / 2);
    // ZooKeeper wrote its own files there as its user (the folder is the member's): myid, its
    // snapshot and epochs, its log folder.
    const owners = await ensemble.exec(ensemble.member('zk-1'), ['stat', '-c', '%u %n', '/var/lib/zookeeper/data/myid', '/var/lib/zookeeper/data/version-2/currentEpoch', '/var/lib/zookeeper/log/version-2']);
    expect(owners.output.trim().split('\n')).toEqual(['1000 /var/lib/zookeeper/data/myid', '1000 /var/lib/zookeeper/data/version-2/currentEpoch', '1000 /var/lib/zookeeper/log/version-2']);
    const modes = (await Promise.all(ensemble.members.map(async (m) => (await ensemble.status(m)).mode))).sort();
    expect(modes).toEqual(['follower', 'follower', 'leader']);
  });

  it('is unmounted when the ensemble stops', async () => {
    const ours = () => readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.startsWith('slowfs ') && l.includes('zk-chaos-slowfs-'));
    expect(ours()).toHaveLength(1);
    await ensemble.stop();
    expect(ours()).toEqual([]);
  });
});
