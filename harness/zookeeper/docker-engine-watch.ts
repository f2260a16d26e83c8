import type { Readable } from 'node:stream';
import { getContainerRuntimeClient } from 'testcontainers';
import type { DependencyListener } from '../run/test-run.ts';


const FIX = 'start the Docker engine again (bash scripts/docker-engine.sh, or your system\'s Docker service) and rerun';

/**
 * Watches the Docker engine under a run whose members are its containers. An engine that stops or
 * restarts stops every member with it, so nothing after that moment says anything about ZooKeeper:
 * the run must end as the harness's failure. Docker's event stream stays open while the engine
 * runs, so its end is seen at once. An engine that still answers a ping after the stream ended
 * either restarted in the meantime (a stop and start take a second or two) or only dropped the
 * stream: the containers that ran when the watch began tell which. If any of them no longer runs,
 * the engine is taken as lost; if all still run, the stream is opened again and the drop noted.
 */
export function watchDockerEngine(listener: DependencyListener): { stop(): void } {
  let stopped = false;
  let stream: Readable | undefined;

  // An engine that never answered is not one that went away (a kind cluster on podman has none):
  // only an engine seen alive can be lost.
  let seen = false;
  // The ids of the containers running when the watch began (the run's members among them).
  let running: Set<string> | undefined;
  const follow = async (): Promise<void> => {
    const { dockerode } = (await getContainerRuntimeClient()).container;
    const runningContainers = async (): Promise<Set<string>> => new Set((await dockerode.listContainers()).map((c) => c.Id));
    while (!stopped) {
      try {
        stream = (await dockerode.getEvents()) as Readable;
        running ??= await runningContainers();
        seen = true;
      } catch (error) {
        if (!stopped && seen) listener.lost(`the Docker engine stopped answering (${describe(error)})`, FIX);
        if (!seen) listener.note(`the Docker engine cannot be watched (${describe(error)}); a run whose engine goes away may then be misread`);
        return;
      }
      if (stopped) break;
      stream.resume(); // the events themselves are not needed: only that the stream lives
      const ended = await new Promise<string>((resolve) => {
        stream!.once('end', () => resolve('its event stream ended'));
        stream!.once('close', () => resolve('its event stream closed'));
        stream!.once('error', (error) => resolve(`its event stream failed: ${describe(error)}`));
      });
      if (stopped) break;
      const answered = await dockerode.ping().then(() => true, () => false);
      if (!answered) {
        listener.lost(`the Docker engine went away during the run (${ended}, and it no longer answers)`, FIX);
        return;
      }
      const now = await runningContainers().catch(() => new Set<string>());
      const gone = [...running!].filter((id) => !now.has(id)).length;
      if (gone > 0) {
        listener.lost(`the Docker engine went away during the run and answers again (${ended}, and ${gone} of the ${running!.size} containers running when the run began no longer run: it restarted)`, FIX);
        return;
      }
      listener.note(`Docker's event stream dropped (${ended}) while the engine still answers; following it again`);
    }
  };
  follow().catch((error: unknown) => {
    if (!stopped && seen) listener.lost(`the Docker engine could not be watched (${describe(error)})`, FIX);
    else if (!stopped) listener.note(`the Docker engine cannot be watched (${describe(error)})`);
  });

  return {
    stop() {
      stopped = true;
      stream?.destroy();
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
