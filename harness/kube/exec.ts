import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import type { Kube } from './client.ts';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command in a pod's container and resolves when it has ended, with its exit status.
 * client-node's exec resolves when the websocket opens; the status arrives later through the
 * status callback, and never if the socket drops — so the socket's close ends the wait too.
 */
export async function execInPod(kube: Kube, namespace: string, pod: string, container: string, command: string[], timeoutMs = 60_000): Promise<ExecResult> {
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
      if (!status) return reject(new Error(`exec ${command.join(' ')} in ${pod}: the connection closed before the command's status arrived`));
      resolve({ exitCode: exitCodeOf(status), stdout: out, stderr: err });
    };
    new k8s.Exec(kube.config)
      .exec(namespace, pod, container, command, stdout, stderr, null, false, (s) => (status = s))
      .then((socket) => socket.on('close', () => setTimeout(finish, 50)))
      .catch((error: unknown) => {
        clearTimeout(timer);
        reject(error);
      });
  });
}

function exitCodeOf(status: k8s.V1Status): number {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message ? Number(cause.message) : 1;
}
