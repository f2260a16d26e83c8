import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kube } from '../../harness/kube/client.ts';
import type { Fault } from '../../harness/nemesis/fault.ts';
export { explain } from '../../harness/run/explain.ts';
import { runTest, ScenarioError, watchAll, type RunContext, type TestRunResult } from '../../harness/run/test-run.ts';
import { RUN_FILES } from '../../harness/run/run-folder.ts';
import { watchApiServer } from '../../harness/kube/api-server-watch.ts';
import { parseSuiteConfig, type SuiteConfig } from '../../harness/run/suite-config.ts';
import type { StorageMode } from '../../harness/zookeeper/ensemble-manifests.ts';
import { KubeEnsemble, type StartedKubeEnsemble } from '../../harness/zookeeper/kube-ensemble.ts';
import { watchDockerEngine } from '../../harness/zookeeper/docker-engine-watch.ts';

/**
 * What every suite shares: the settings `npm run e2e` passes (checked once, in
 * harness/run/suite-config.ts), the ensemble applied from manifests/, runs recorded with a pod
 * watch, and diagnostics when a check fails. Suites hold scenario logic only.
 */
export const settings: SuiteConfig = parseSuiteConfig(process.env);

export const log = (line: string) => console.log(`[e2e] ${line}`);

export function connectKube(): Kube {
  return Kube.load({ context: settings.context, kubeconfig: settings.kubeconfig });
}

export async function startEnsemble(kube: Kube, overrides: { namespace?: string; storage?: StorageMode } = {}): Promise<StartedKubeEnsemble> {
  await kube.ping();
  return new KubeEnsemble(kube)
    .inNamespace(overrides.namespace ?? settings.namespace)
    .withImage(settings.image)
    .withStorage(overrides.storage ?? settings.storage)
    .withAccess(settings.access)
    .withLog(log)
    .start();
}

export interface SuiteRun {
  name: string;
  ensemble: StartedKubeEnsemble;
  faults?: Array<{ fault: (ctx: RunContext) => Fault | Promise<Fault>; holdMs?: number }>;
  during?: (ctx: RunContext) => Promise<void>;
  /** How to rerun this suite (default: npm run e2e -- --suites <name>). */
  rerunCommand?: string;
  /** Files written to the run's folder before the workload starts (a planned schedule). */
  files?: Record<string, string>;
}

/** One recorded, checked run against the ensemble, with every pod change in events.jsonl. */
export async function runSuite(run: SuiteRun): Promise<TestRunResult> {
  const result = await runTest({
    name: run.name,
    endpoints: () => run.ensemble.endpoints(),
    faults: run.faults?.map((f) => ({ fault: f.fault, holdMs: f.holdMs ?? settings.holdMs })),
    during: run.during,
    ...(run.files ? { files: run.files } : {}),
    quietMs: settings.quietMs,
    observe: (ctx) => run.ensemble.observe(ctx.events),
    // The API server steers and observes the run; a kind cluster's nodes are also this machine's
    // Docker containers: either one gone for good is the harness's failure, never ZooKeeper's.
    dependencies: watchAll(watchApiServer(run.ensemble.kube), ...(settings.context.startsWith('kind-') ? [watchDockerEngine] : [])),
    log,
    rerunCommand: run.rerunCommand ?? `npm run e2e -- --suites ${run.name}`,
  }).catch(async (error: unknown) => {
    // A scenario step failed: the run was still checked and reported; keep the cluster's side too.
    if (error instanceof ScenarioError) await saveDiagnostics(run.ensemble, error.dir);
    throw error;
  });
  if (result.verdict.validity !== 'valid') await saveDiagnostics(run.ensemble, result.dir);
  return result;
}

/** Pod logs (current and previous containers) and the namespace's events, kept with the run. */
export async function saveDiagnostics(ensemble: StartedKubeEnsemble, dir: string): Promise<void> {
  const target = join(dir, RUN_FILES.diagnostics);
  mkdirSync(target, { recursive: true });
  const { core } = ensemble.kube;
  for (const pod of await ensemble.pods().catch(() => [])) {
    const name = pod.metadata?.name ?? 'unknown';
    for (const previous of [false, true]) {
      const text = await core
        .readNamespacedPodLog({ name, namespace: ensemble.namespace, previous, tailLines: 2000 })
        .catch((error: unknown) => `(no log: ${error instanceof Error ? error.message : String(error)})`);
      writeFileSync(join(target, `${name}${previous ? '.previous' : ''}.log`), String(text));
    }
  }
  const events = await core.listNamespacedEvent({ namespace: ensemble.namespace }).catch(() => ({ items: [] }));
  writeFileSync(join(target, 'kubernetes-events.json'), JSON.stringify(events.items, null, 2));
  log(`diagnostics saved in ${target}`);
}
