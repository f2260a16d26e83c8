#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { EnvironmentError } from '../run/environment.ts';
import type { E2eOptions } from './e2e-command.ts';
import type { RunOptions } from './run-command.ts';
import { wholeNumber } from '../run/whole-number.ts';

/**
 * zk-chaos command line. Exit codes of `check`: 0 valid, 1 invalid, 2 unknown, 3 unreadable input
 * or usage error, 4 internal error. Each command's module is loaded only when it runs, so `check`
 * does not pay for the Kubernetes and Docker clients.
 */
const program = new Command()
  .name('zk-chaos')
  .description('Chaos harness for ZooKeeper: check recorded histories for lost writes and broken guarantees.')
  .exitOverride();

program
  .command('check')
  .description('check a history (JSON Lines) and print the verdict')
  .argument('<file>', 'history.jsonl to check')
  .option('--json', 'print the verdict as JSON')
  .option('--budget <states>', 'search budget per key before a key is declared unknown (a whole number >= 1)', budget)
  .action(async (file: string, options: { json?: boolean; budget?: number }) => {
    const { checkCommand } = await import('./check-command.ts');
    process.exitCode = await checkCommand(file, options);
  });

program
  .command('report')
  .description('write the HTML report (timeline, latency and throughput plots, anomalies) of a saved history')
  .argument('<file>', 'history.jsonl; faults.jsonl, events.jsonl and verdict.json beside it are used when present')
  .option('--out <path>', 'where to write the report (default: report.html beside the history)')
  .action(async (file: string, options: { out?: string }) => {
    const { reportCommand } = await import('./report-command.ts');
    process.exitCode = await reportCommand(file, options);
  });

program
  .command('e2e')
  .description('create the kind cluster (unless --context), run the chaos suites, tear down (unless --keep)')
  .option('--context <name>', 'use this existing kubeconfig context (any Kubernetes) instead of creating a kind cluster')
  .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG or ~/.kube/config)')
  .option('--suites <names>', 'comma-separated suites to run (default: all)')
  .option('--seed <n>', 'seed of every random choice (default: a fresh one, printed)')
  .option('--duration <seconds>', 'workload time before, between and after faults', '10')
  .option('--random-time <seconds>', 'length of the random suite\'s seeded fault schedule', '120')
  .option('--storage <mode>', 'local-path (node-pinned volumes) or shared (volumes follow pods)')
  .option('--image <ref>', 'ZooKeeper image the ensemble runs (default zk-chaos/zookeeper:local, loaded into kind)')
  .option('--zk-version <v>', 'run this ZooKeeper release (image built from Maven Central\'s jars and loaded into kind; with --context, push zk-chaos/zookeeper:V where the cluster can pull it)')
  .option('--access <mode>', 'how the host reaches the members: nodeport (kind-config.yaml\'s ports on 127.0.0.1) or port-forward (through the API server; default with --context)')
  .option('--keep', 'keep the cluster afterwards')
  .option('--offline', 'build kind and the node image here instead of pulling them')
  .option('--online', 'use stock kind and kindest/node from the registries')
  .action(async (options: E2eOptions) => {
    const { e2eCommand } = await import('./e2e-command.ts');
    process.exitCode = await e2eCommand(options);
  });

program
  .command('run')
  .description('checked runs with a seeded fault schedule: start an ensemble, play the faults under the workload, check, report; ends with a table')
  .option('--target <where>', 'where the ensemble runs: docker; kind (the cluster npm run cluster:up made; the tutorial\'s manifests); or context:NAME (any cluster of your kubeconfig, through port-forwards; needs --image; network faults through a privileged helper pod per node, node loss by cordon + pod deletion)', 'docker')
  .option('--nemesis <faults>', 'comma list of kill, pause, isolate, partition, restart-all, bridge, rolling-restart, node-loss, lose-followers, crash-majority, snap-sync-crash, cut-leader, slow, terminate, pod-delete, drain, slow-snap-sync, snap-sync-restart, snap-sync-cut (Docker only, as root), probe-delete (Kubernetes targets only); or all (the first five), ops (bridge, rolling-restart, node-loss), hunt, tutorial (restart-all, terminate, drain); groups and faults mix (tutorial,pod-delete); or none', 'all')
  .option('--overlap', 'network faults (partition, isolate, bridge) in a lane of their own, overlapping the others')
  .option('--time-limit <seconds>', 'length of each run, recovery included', '60')
  .option('--interval <seconds>', 'mean time between faults (a fault lasts interval/2 to 2 x interval)', '10')
  .option('--runs <k>', 'runs, seeds seed, seed+1, ...', '1')
  .option('--seed <n>', 'seed of the first run (default: a fresh one, printed)')
  .option('--image <ref>', 'ZooKeeper image (default: the one scripts/build-zookeeper-image.sh builds)')
  .option('--zk-version <v>', 'run this ZooKeeper release (an image built once from Maven Central\'s jars; default Debian\'s 3.8.0)')
  .option('--rate <ops>', 'operations per second across the clients, paced evenly (default: each client thinks 5-25 ms)')
  .option('--new-addresses', 'docker: restarted members come back at new network addresses, as recreated pods do (default: they keep theirs)')
  .option('--slow-fsync <member:ms>', 'docker, as root: that member\'s data (log, snapshots, epochs) on a slow disk, each fsync held MS milliseconds (e.g. zk-1:200; a FUSE mount, images/slowfs)')
  .action(async (options: RunOptions) => {
    const { runCommand } = await import('./run-command.ts');
    process.exitCode = await runCommand(options);
  });

program
  .command('hunt')
  .description('seeded runs of the hunt faults (aimed at ZooKeeper\'s recovery paths) with short ticks and frequent snapshots, each ending with every member restarted; ends with a table of findings')
  .option('--zk-version <v>', 'the ZooKeeper release to hunt in (default Debian\'s 3.8.0)')
  .option('--target <where>', 'where the ensemble runs: docker, kind or context:NAME (as for run; the hunt\'s settings go into the StatefulSet\'s environment)', 'docker')
  .option('--image <ref>', 'ZooKeeper image (needed with context:NAME, as for run)')
  .option('--runs <k>', 'runs, seeds seed, seed+1, ...', '10')
  .option('--time-limit <seconds>', 'length of each run, recovery included', '120')
  .option('--interval <seconds>', 'mean time between faults (a fault lasts interval/2 to 2 x interval)', '8')
  .option('--seed <n>', 'seed of the first run (default: a fresh one, printed)')
  .option('--nemesis <faults>', 'the fault mix (as for run)', 'hunt')
  .option('--overlap', 'network faults in a lane of their own, overlapping the others')
  .option('--rate <ops>', 'operations per second across the clients, paced evenly')
  .option('--new-addresses', 'restarted members come back at new network addresses, as recreated pods do (default: they keep theirs)')
  .option('--slow-fsync <member:ms>', 'docker, as root: that member\'s data (log, snapshots, epochs) on a slow disk, each fsync held MS milliseconds (e.g. zk-1:200; a FUSE mount, images/slowfs)')
  .action(async (options: RunOptions) => {
    const { runCommand, HUNT } = await import('./run-command.ts');
    process.exitCode = await runCommand(options, HUNT);
  });

/** --budget: validated here so that a bad value is a usage error, never the default in disguise. */
function budget(text: string): number {
  const n = wholeNumber(text, 1);
  if (n === undefined) throw new InvalidArgumentError(`a whole number of search states, from 1 to ${Number.MAX_SAFE_INTEGER}, is needed (got "${text}")`);
  return n;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 3;
  } else if (error instanceof EnvironmentError) {
    // A ZK_CHAOS_* variable with a wrong value: a usage error, found before anything starts.
    console.error(`zk-chaos: ${error.message}`);
    process.exitCode = 3;
  } else {
    throw error;
  }
}
// The command has answered and its results are written: the process ends now, once what it
// printed is out (a pipe may be asynchronous, e.g. on macOS). A scenario step the run abandoned
// when the harness failed stops its waits (withinStep), but whatever else it was doing (a command
// to an engine that is gone, a connection's timeout) may still hold the loop, and nothing it does
// belongs to the result.
for (const stream of [process.stdout, process.stderr]) await new Promise<void>((flushed) => stream.write('', () => flushed()));
process.exit();
