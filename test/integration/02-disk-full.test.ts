import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DockerEnsemble, type StartedDockerEnsemble } from '../../harness/zookeeper/docker-ensemble.ts';

/**
 * The harness's own dependency failing mid-run: the results folder is a 64 KiB tmpfs (mounted in
 * a private mount namespace, no root needed), so the disk fills a few seconds into the workload.
 * The run must stop at once and say the harness failed (not ZooKeeper), keep every whole event,
 * leave no half line, and never claim a verdict: what was recorded is checkable and unknown. And
 * a results file rewritten on a full disk (junit.xml) stays as it was, never empty or half written.
 */

const ROOT = join(import.meta.dirname, '../..');
const mountPoint = mkdtempSync(join(tmpdir(), 'zk-chaos-small-disk-'));
let ensemble: StartedDockerEnsemble | undefined;
afterAll(async () => {
  await ensemble?.stop();
  rmSync(mountPoint, { recursive: true, force: true });
});

describe('a results disk that fills during a run', () => {
  it('stops the run as a harness failure, keeps the history whole, and gives no verdict', async () => {
    ensemble = await new DockerEnsemble(inject('zkImage')).withLabels({ 'io.zk-chaos.test': 'disk-full' }).start();
    // Root needs only a mount namespace; anyone else maps to root in a user namespace of their own.
    const namespaces = process.getuid?.() === 0 ? ['--mount'] : ['--map-root-user', '--mount'];
    const child = spawnSync(
      'unshare',
      [...namespaces, 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$1" && exec "$2" "$3" "$1" "$4"', 'sh',
        mountPoint, process.execPath, join(ROOT, 'test/support/small-disk-run.ts'), JSON.stringify(ensemble.endpoints())],
      { encoding: 'utf8', timeout: 180_000 },
    );
    const line = child.stdout.split('\n').find((l) => l.startsWith('small-disk:'));
    expect(
      line,
      `the run on the small disk printed no summary (exit ${child.status}; without root this needs unprivileged user namespaces, ` +
        `e.g. sysctl kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu):\n${child.stderr}\n${child.stdout.slice(-2000)}`,
    ).toBeDefined();
    const seen = JSON.parse(line!.slice('small-disk:'.length));

    // The harness's failure, named as such, with the cause.
    expect(seen.outcome.error).toBe('HarnessError');
    expect(seen.outcome.message).toContain('the harness failed, not ZooKeeper');
    expect(seen.outcome.message).toMatch(/ENOSPC|no space left/);
    // It stopped when the disk filled, not after the 120 s the run was meant to last.
    expect(seen.seconds).toBeLessThan(60);
    // The history is whole: readable to its last line, with operations in it.
    expect(seen.endsWithNewline).toBe(true);
    expect(seen.reread.error).toBeUndefined();
    expect(seen.reread.operations).toBeGreaterThan(50);
    // So are the side logs on the same disk (events.jsonl has the harness's "failed" if it fit).
    expect(seen.sideLogsWhole).toBe(true);
    // Never a verdict on ZooKeeper: no anomaly from the cut, and unknown (the final reads never happened).
    expect(seen.reread.anomalies).toBe(0);
    expect(seen.reread.validity).toBe('unknown');
    expect(seen.verdictFile === null || seen.verdictFile === 'unknown').toBe(true);
    // No temporary file left behind by a write that failed.
    expect(seen.files.filter((f: string) => f.endsWith('.partial'))).toEqual([]);
  });

  it('leaves the previous junit.xml whole when rewriting it fails, and no temporary file', () => {
    // The same atomic write serves junit.xml, e2e-timings.json, verdict.json and report.html.
    const script = `
      import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
      import { atomicWrite } from '${join(ROOT, 'harness/run/atomic-write.ts')}';
      const dir = process.argv[1];
      const junit = dir + '/junit.xml';
      atomicWrite(junit, '<testsuites tests="1"/>\\n');
      try { writeFileSync(dir + '/filler', Buffer.alloc(1 << 20)); } catch {} // the disk is full now
      let error = null;
      try { atomicWrite(junit, '<testsuites tests="2">' + 'x'.repeat(1 << 16) + '</testsuites>\\n'); } catch (e) { error = e.code; }
      console.log('junit:' + JSON.stringify({ error, kept: readFileSync(junit, 'utf8'), files: readdirSync(dir) }));`;
    const namespaces = process.getuid?.() === 0 ? ['--mount'] : ['--map-root-user', '--mount'];
    const child = spawnSync(
      'unshare',
      [...namespaces, 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$1" && exec "$2" --input-type=module -e "$3" "$1"', 'sh', mountPoint, process.execPath, script],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const line = child.stdout.split('\n').find((l) => l.startsWith('junit:'));
    expect(line, `exit ${child.status}: ${child.stderr}`).toBeDefined();
    const seen = JSON.parse(line!.slice('junit:'.length)) as { error: string | null; kept: string; files: string[] };
    expect(seen.error).toBe('ENOSPC');
    expect(seen.kept).toBe('<testsuites tests="1"/>\n');
    expect(seen.files.filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});
