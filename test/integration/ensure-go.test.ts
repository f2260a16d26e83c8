import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * scripts/lib/go.sh on a host without Go: the scripts that build from Go modules fetch Go itself
 * from the Go module proxy (golang.org/toolchain), check its pinned SHA-256, and leave nothing
 * half-done behind when they cannot. Real downloads, a real unpack, the real `go` run.
 */
const ROOT = join(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'zk-chaos-ensure-go-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** PATH with every folder's `go` and `gofmt` left out (the fresh-machine check's own helper). */
function pathWithoutGo(): string {
  const r = spawnSync('bash', [join(ROOT, 'scripts/path-without-go.sh'), join(scratch, 'path')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/path-without-go.sh failed: ${r.stderr}`);
  return r.stdout.trim();
}

const PATH = pathWithoutGo();
const PLATFORM = `linux-${process.arch === 'arm64' ? 'arm64' : 'amd64'}`;

function ensureGo(name: string, env: Record<string, string>) {
  const cache = join(scratch, name);
  const r = spawnSync('bash', [join(ROOT, 'scripts/ensure-go.sh')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH, HOME: cache, ZK_CHAOS_CACHE: cache, GOROOT: '', ...env },
    timeout: 300_000,
  });
  return { ...r, cache };
}

describe('Go, fetched when the host has none', () => {
  it('is fetched from the Go module proxy, runs, and is reused from the cache', () => {
    expect(spawnSync('bash', ['-c', 'command -v go'], { env: { ...process.env, PATH } }).status).not.toBe(0);
    const first = ensureGo('fetched', {});
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toContain('fetching Go 1.26.8 (no Go on this host; from the Go module proxy)');
    const go = first.stdout.trim();
    expect(go).toBe(join(first.cache, 'go', `go1.26.8.${PLATFORM}`, 'bin', 'go'));
    expect(spawnSync(go, ['version'], { encoding: 'utf8' }).stdout).toContain(`go version go1.26.8 ${PLATFORM.replace('-', '/')}`);
    // Only the unpacked Go and the lock stay: no download, no half-unpacked copy.
    expect(readdirSync(join(first.cache, 'go')).sort()).toEqual(['.lock', `go1.26.8.${PLATFORM}`]);
    const again = ensureGo('fetched', { GOPROXY: 'off' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe(go);
    expect(again.stderr).not.toContain('fetching');
  });

  it('refuses a download whose SHA-256 is not the pinned one, and keeps nothing of it', () => {
    const proxy = join(scratch, 'forged-proxy');
    mkdirSync(join(proxy, 'golang.org/toolchain/@v'), { recursive: true });
    writeFileSync(join(proxy, `golang.org/toolchain/@v/v0.0.1-go1.26.8.${PLATFORM}.zip`), 'not the toolchain');
    const r = ensureGo('forged', { GOPROXY: `file://${proxy}` });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`the Go 1.26.8 download from file://${proxy} does not match its pinned SHA-256`);
    expect(readdirSync(join(r.cache, 'go'))).toEqual(['.lock']);
  });

  it('says at once that GOPROXY=off leaves no proxy to fetch it from', () => {
    const r = ensureGo('off', { GOPROXY: 'off' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FAILED: Go >= 1.24 is missing and GOPROXY=off names no proxy to fetch it from');
    expect(r.stderr).toContain('fix: install Go >= 1.24');
  });
});
