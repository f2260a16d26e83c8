import { setTimeout as sleep } from 'node:timers/promises';
import type { Ensemble, EnsembleMember } from './ensemble.ts';
import { scanServerLog, type ServerLogFinding } from './server-log.ts';

export interface MemberReport {
  name: string;
  mode: string;
  /** Last zxid the member reports (srvr), when it serves. */
  zxid?: string;
  /** Lines where its log says its state went wrong. */
  logFindings: ServerLogFinding[];
}

export interface ServersReport {
  members: MemberReport[];
  /** Every serving member reports the same last zxid once writes stopped. */
  zxidsAgree: boolean;
}

/**
 * After the workload stopped: what each member says of itself — its mode and last zxid (asked
 * until they agree, for up to `settleMs`: a follower may still be applying the last commits) —
 * and what its log says went wrong. The servers' side of the story, beside the checker's verdict.
 */
export async function reportServers<M extends EnsembleMember>(ensemble: Ensemble<M>, settleMs = 10_000): Promise<ServersReport> {
  const deadline = Date.now() + settleMs;
  let statuses = await Promise.all(ensemble.members.map((m) => ensemble.status(m)));
  const agree = (): boolean => {
    const zxids = statuses.filter((s) => s.mode !== 'not serving').map((s) => s.zxid);
    return zxids.length === ensemble.members.length && new Set(zxids).size === 1;
  };
  while (!agree() && Date.now() < deadline) {
    await sleep(500);
    statuses = await Promise.all(ensemble.members.map((m) => ensemble.status(m)));
  }
  const logs = await Promise.all(ensemble.members.map((m) => ensemble.logs(m).catch(() => '')));
  return {
    members: ensemble.members.map((m, i) => ({
      name: m.name,
      mode: statuses[i]!.mode,
      ...(statuses[i]!.zxid ? { zxid: statuses[i]!.zxid } : {}),
      logFindings: scanServerLog(logs[i]!),
    })),
    zxidsAgree: agree(),
  };
}

/** One line: "zk-0 follower 0x30000012a, zk-1 leader 0x30000012a, ...; logs: zk-0 null-pointer x2". */
export function describeServers(report: ServersReport): string {
  const members = report.members.map((m) => `${m.name} ${m.mode}${m.zxid ? ` ${m.zxid}` : ''}`).join(', ');
  const findings = report.members.flatMap((m) => m.logFindings.map((f) => `${m.name} ${f.kind} x${f.count}`));
  return `${members}${report.zxidsAgree ? '' : ' (last zxids differ)'}; logs: ${findings.join(', ') || 'no error lines'}`;
}
