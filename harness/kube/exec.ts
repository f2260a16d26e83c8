import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import pRetry, { AbortError } from 'p-retry';
import type { Kube } from './client.ts';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  timeoutMs?: number;
  /**
   * The command may safely run again (it only reads: srvr, cat). Then an exec whose connection
   * could not be opened or dropped before the command's status arrived (the API server
   * restarting, a proxy cutting the websocket) is run again, for about a minute, and each drop is
   * reported to onDrop: a gap in what the harness saw, not an answer from the member.
   */
  repeatable?: boolean;
  onDrop?: (detail: string) => void;
}

/** The exec's connection ended before its command's status arrived: the harness's path broke, the command's outcome is unknown. */
export class ExecStreamDropped extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExecStreamDropped';
  }
}

/**
 * The API server answered the exec with an error (an HTTP status on the upgrade, or a failure
 * status without the command's exit code): the command may never have run. Whether that is the
 * member (its container gone) or the harness's path (an API server still starting) is for the
 * caller to find out.
 */
export class ExecRefused extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExecRefused';
  }
}

/**
 * Runs a command in a pod's container and resolves when it has ended, with its exit status.
 * Rejects with ExecStreamDropped when the connection broke first (see ExecOptions.repeatable).
 */
export async function execInPod(kube: Kube, namespace: string, pod: string, container: string, command: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const once = () => execOnce(kube, namespace, pod, container, command, options.timeoutMs ?? 60_000);
  if (!options.repeatable) return once();
  return pRetry(
    async () => {
      try {
        return await once();
      } catch (error) {
        // Only a broken path is worth another try; a command that ran and failed has answered.
        throw error instanceof ExecStreamDropped ? error : new AbortError(error instanceof Error ? error : new Error(describe(error)));
      }
    },
    {
      retries: 10,
      minTimeout: 500,
      maxTimeout: 8000,
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft > 0) options.onDrop?.(`exec ${command.join(' ')} in ${pod}: ${error.message}; running it again (attempt ${attemptNumber + 1})`);
      },
    },
  );
}

/**
 * client-node's exec resolves when the websocket opens; the status arrives later through the
 * status callback, and never if the socket drops — so the socket's close ends the wait too.
 */
function execOnce(kube: Kube, namespace: string, pod: string, container: string, command: string[], timeoutMs: number): Promise<ExecResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise<ExecResult>((resolve, reject) => {
    let status: k8s.V1Status | undefined;
    const timer = setTimeout(() => reject(new Error(`exec ${command.join(' ')} in ${pod} did not end within ${timeoutMs} ms`)), timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      if (!status) return reject(new ExecStreamDropped(`the exec's connection closed before the command's status arrived`));
      const exitCode = exitCodeOf(status);
      // A failure without an exit code is the exec's own (the command may never have run), not the command's answer.
      if (exitCode === undefined) return reject(new ExecRefused(`exec ${command.join(' ')} in ${pod} failed: ${status.reason ?? ''} ${status.message ?? ''}`.trim()));
      resolve({ exitCode, stdout: out, stderr: err });
    };
    new k8s.Exec(kube.config)
      .exec(namespace, pod, container, command, stdout, stderr, null, false, (s) => (status = s))
      .then((socket) => socket.on('close', () => setTimeout(finish, 50)))
      .catch((error: unknown) => {
        clearTimeout(timer);
        const why = describe(error);
        reject(isConnectionError(why) ? new ExecStreamDropped(`the exec's connection could not be opened (${why})`, { cause: error }) : new ExecRefused(`exec ${command.join(' ')} in ${pod}: ${why}`, { cause: error }));
      });
  });
}

/**
 * The API server could not be reached or is not ready (as opposed to answering "no such pod").
 * A restarting API server answers 401/403 until its authorizer's caches are filled, and 502-504
 * through a proxy; a lasting 403 (missing RBAC) still ends in an error naming it, a minute later.
 */
function isConnectionError(text: string): boolean {
  return /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|socket hang up|socket disconnected|Unexpected server response: (40[13]|50[234])/.test(text);
}

function describe(error: unknown): string {
  // client-node rejects with the websocket's ErrorEvent at times: its message and its error's code.
  const e = error as { message?: unknown; code?: unknown; error?: { code?: unknown } } | null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const code = e?.code ?? e?.error?.code;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

/** The command's exit code, or undefined when the status is a failure of the exec itself. */
function exitCodeOf(status: k8s.V1Status): number | undefined {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message ? Number(cause.message) : undefined;
}
