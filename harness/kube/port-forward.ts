import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import type { Kube } from './client.ts';

/**
 * A member reached through the API server, for clusters whose nodes the host cannot reach (a
 * managed cluster, k3d, minikube, a kind cluster without port mappings): a listener on 127.0.0.1
 * whose every connection opens its own port-forward to the pod by name. So a pod that was deleted
 * and recreated is reached again by the next connection, and a forward that breaks ends only its
 * own connection: the ZooKeeper client sees a connection loss (the operation in flight is
 * indeterminate), never the harness an error. Needs `create` on pods/portforward.
 */
export class PodPortForward {
  readonly address: string;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Connections whose forward failed to open or broke, and the last reason (for diagnostics). */
  broken = 0;
  lastProblem: string | undefined;

  private constructor(server: Server, address: string) {
    this.server = server;
    this.address = address;
  }

  static async open(kube: Kube, namespace: string, pod: string, port: number): Promise<PodPortForward> {
    const forward = new k8s.PortForward(kube.config);
    let self: PodPortForward | undefined;
    const server = createServer((socket) => self?.accept(forward, namespace, pod, port, socket));
    server.unref(); // never what keeps the process alive
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    self = new PodPortForward(server, `127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  private accept(forward: k8s.PortForward, namespace: string, pod: string, port: number, socket: Socket): void {
    this.sockets.add(socket);
    const broke = (why: string): void => {
      this.broken++;
      this.lastProblem = why;
      socket.destroy();
    };
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    // The forward's error stream: the pod refused the port (not listening yet, or gone). Its
    // first frame is only the port number, which arrives here empty.
    const errors = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (chunk.length > 0) broke(`pod ${pod}: ${chunk.toString().trim()}`);
        done();
      },
    });
    forward.portForward(namespace, pod, [port], socket, errors, socket).then(
      (opened) => {
        const ws = typeof opened === 'function' ? opened() : opened;
        if (!ws) return broke(`pod ${pod}: the forward did not open`);
        if (socket.destroyed) return ws.close();
        ws.on('close', () => socket.destroy());
        ws.on('error', (error: Error) => broke(`pod ${pod}: ${error.message}`));
        socket.on('close', () => ws.close());
      },
      (error: unknown) => broke(`pod ${pod}: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  /** Stops listening and ends every forwarded connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
