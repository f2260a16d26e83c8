/**
 * Packs processes into timeline lanes. Every worker opens a new process (session) after a
 * connection loss, so a long run has hundreds of processes but only a handful alive at once; one
 * row per process would make the timeline unreadably tall. A lane holds processes whose lifetimes
 * do not overlap, so each operation still sits alone on its row. Pure.
 */

/** A process's lifetime: its first invoke to its last completion (or the end, if left open). */
export interface ProcessSpan {
  process: number;
  start: number;
  end: number;
}

export interface LaneAssignment {
  count: number;
  /** Lane of each process, keyed by process. */
  laneOf: Map<number, number>;
  /** The processes of each lane, in time order. */
  members: number[][];
}

/** Greedy interval colouring in start order: each process goes to the lowest lane free by then. */
export function packLanes(spans: readonly ProcessSpan[]): LaneAssignment {
  const ordered = [...spans].sort((a, b) => a.start - b.start || a.process - b.process);
  const laneEnds: number[] = [];
  const members: number[][] = [];
  const laneOf = new Map<number, number>();
  for (const span of ordered) {
    let lane = laneEnds.findIndex((end) => end < span.start);
    if (lane === -1) {
      lane = laneEnds.length;
      members.push([]);
    }
    laneEnds[lane] = span.end;
    members[lane]!.push(span.process);
    laneOf.set(span.process, lane);
  }
  return { count: laneEnds.length, laneOf, members };
}

/** "p3" for one process, "p3 p9" for two, "p3 +4" when a lane holds more. */
export function laneLabel(processes: readonly number[]): string {
  if (processes.length <= 2) return processes.map((p) => `p${p}`).join(' ');
  return `p${processes[0]} +${processes.length - 1}`;
}
