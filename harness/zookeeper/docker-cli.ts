import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * The docker CLI, for what testcontainers does not do: privileged execs in a member's or a kind
 * node's network namespace, killing and starting a kind node, whole container logs. Rejects when docker exits
 * non-zero (the error carries its stderr).
 */
export function docker(args: string[], { maxBuffer = 1 << 24 }: { maxBuffer?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  return hostCommand('docker', args, { maxBuffer });
}

/** A program of this host (docker, nsenter), run without a shell; rejects when it exits non-zero (the error carries its stderr). */
export function hostCommand(program: string, args: string[], { maxBuffer = 1 << 24 }: { maxBuffer?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync(program, args, { maxBuffer });
}
