import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    zkImage: string;
  }
}

/**
 * Before the integration tests: a Docker engine that answers and the ZooKeeper image (both
 * idempotent and cached). After them: no container or network labelled by zk-chaos is left,
 * even when a test died halfway (the testcontainers reaper cannot be pulled on offline hosts).
 */
export default function setup(project: TestProject) {
  execFileSync('bash', ['scripts/docker-engine.sh'], { stdio: 'inherit' });
  const output = execFileSync('bash', ['scripts/build-zookeeper-image.sh'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const image = output.toString().trim().split('\n').pop() ?? '';
  if (!image) throw new Error('scripts/build-zookeeper-image.sh printed no image reference');
  project.provide('zkImage', image);
  return () => {
    execFileSync('bash', ['scripts/clean-docker.sh'], { stdio: 'inherit' });
  };
}
