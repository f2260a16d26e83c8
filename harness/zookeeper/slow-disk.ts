import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { projectScript } from '../run/project-scripts.ts';
import { createInterface } from 'node:readline';

/** The members' user (the image's zookeeper, as the tutorial runs it): it owns the folder it writes. */
const MEMBER_UID = 1000;

/**
 * A folder on this host whose fsyncs are slow: a slowfs mount (images/slowfs, a passthrough FUSE
 * file system) over a backing folder, bind-mounted as one member's data folder. Every fsync there
 * (its transaction log, snapshots and epoch files) then takes `delayMs` longer: the disk
 * ZooKeeper's recovery bugs need (ZOOKEEPER-3642, -3911, -4643: an acknowledgement or an epoch
 * ahead of the durable write). Linux hosts only, as root (a FUSE mount), with the Docker engine on
 * the same host.
 */
export class SlowDisk {
  readonly path: string;
  readonly delayMs: number;
  private readonly root: string;
  private readonly process: ChildProcess;

  private constructor(root: string, path: string, delayMs: number, process: ChildProcess) {
    this.root = root;
    this.path = path;
    this.delayMs = delayMs;
    this.process = process;
  }

  /** Builds slowfs once (scripts/build-slowfs.sh) and mounts a fresh slow folder. */
  static async mount(delayMs: number): Promise<SlowDisk> {
    if (process.getuid?.() !== 0) throw new Error('a slow fsync needs root on this host (slowfs is a FUSE mount): run as root, or leave --slow-fsync out');
    const binary = execFileSync('bash', [projectScript('build-slowfs.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1) as string;
    const root = mkdtempSync(join(tmpdir(), 'zk-chaos-slowfs-'));
    const backing = join(root, 'backing');
    const path = join(root, 'mount');
    mkdirSync(backing, { mode: 0o755 });
    mkdirSync(path);
    chownSync(backing, MEMBER_UID, MEMBER_UID);
    // Its stdin is this process's pipe: if this process dies, slowfs sees EOF and unmounts.
    const child = spawn(binary, ['-delay', `${delayMs}ms`, '-exit-on-eof', backing, path], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const mounted = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000);
      const settle = (ok: boolean): void => {
        clearTimeout(timer);
        resolve(ok);
      };
      createInterface({ input: child.stdout! }).once('line', (line) => settle(line === 'mounted'));
      child.once('exit', () => settle(false));
      // Not started at all (a binary that cannot be run): said below, with what spawn said.
      child.once('error', (error) => {
        stderr += error.message;
        settle(false);
      });
    });
    if (!mounted) {
      child.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
      throw new Error(`slowfs did not mount ${path}: ${stderr.trim() || 'it exited or did not answer within 30 s'}`);
    }
    // The run does not wait on it: unmount() ends it, and so does this process's exit (EOF).
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) if (stream instanceof Socket) stream.unref();
    return new SlowDisk(root, path, delayMs, child);
  }

  /** Unmounts (slowfs does on EOF) and removes the folder; the member using it must be stopped first. */
  async unmount(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
      this.process.stdin?.end();
      const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    // A slowfs killed outright leaves its mount: detach it lazily, then remove the folders.
    try {
      execFileSync('umount', ['-l', this.path], { stdio: 'ignore' });
    } catch {
      // Not mounted any more: the normal case.
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}
