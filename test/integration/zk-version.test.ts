import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerEnsemble, type StartedDockerEnsemble } from '../../harness/zookeeper/docker-ensemble.ts';
import { fourLetterWordCommand } from '../../harness/zookeeper/four-letter-words.ts';

/**
 * --zk-version: any release as an image, built from Maven Central's jars with the same scripts and
 * contract as the default image. 3.4.14 differs from the default in every way that matters here
 * (log4j 1.2, no four-letter-word whitelist, no jute jar): its ensemble must form and answer.
 */
const build = (version: string) =>
  spawnSync('bash', ['scripts/build-zookeeper-image.sh'], { encoding: 'utf8', env: { ...process.env, ZK_CHAOS_ZK_VERSION: version }, timeout: 600_000 });

let ensemble: StartedDockerEnsemble | undefined;
afterAll(async () => {
  await ensemble?.stop();
});

describe('ZooKeeper releases from Maven Central', () => {
  it('builds zk-chaos/zookeeper:3.4.14, whose ensemble elects a leader and says which release it runs', async () => {
    const built = build('3.4.14');
    expect(built.status, built.stderr.slice(-2000)).toBe(0);
    expect(built.stdout.trim().split('\n').pop()).toBe('zk-chaos/zookeeper:3.4.14');
    const label = spawnSync('docker', ['image', 'inspect', '-f', '{{ index .Config.Labels "zk-chaos.zookeeper-version" }}', 'zk-chaos/zookeeper:3.4.14'], { encoding: 'utf8' });
    expect(label.stdout.trim()).toBe('3.4.14');
    ensemble = await new DockerEnsemble('zk-chaos/zookeeper:3.4.14').withLabels({ 'io.zk-chaos.test': 'zk-version' }).start();
    const leader = await ensemble.leader();
    const { output } = await ensemble.exec(leader, fourLetterWordCommand('srvr', 5));
    expect(output).toMatch(/^Zookeeper version: 3\.4\.14-/m);
    // The server logs to the console, where docker logs (and the run's diagnostics) find it.
    expect(await ensemble.logs(leader)).toMatch(/LEADING - LEADER ELECTION TOOK/);
  }, 600_000);

  it('refuses what is not a release number, naming where the releases are', () => {
    const built = build('3.x');
    expect(built.status).toBe(1);
    expect(built.stderr).toContain("'3.x' is not a ZooKeeper release number");
    expect(built.stderr).toContain('https://repo1.maven.org/maven2/org/apache/zookeeper/zookeeper/');
  });
});
