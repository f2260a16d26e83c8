/**
 * Cycles in an order: nodes 0..n-1, and edges that each say "from comes before to". An order with
 * a cycle cannot be one sequence. One cycle per strongly connected component is enough to show it
 * (Tarjan's algorithm, iterative: a component can be a long chain): the shortest cycle through the
 * component's lowest-numbered node. Linear in nodes and edges. Pure.
 */

/** Each component of two or more nodes, as the indices of a cycle's edges, in order, from its lowest node. */
export function componentCycles(nodeCount: number, from: readonly number[], to: readonly number[]): number[][] {
  const out = outgoing(nodeCount, from);
  const component = components(nodeCount, out, to);
  const size = new Int32Array(nodeCount);
  for (let v = 0; v < nodeCount; v++) size[component[v]!]!++;
  const cycles: number[][] = [];
  const done = new Uint8Array(nodeCount);
  for (let v = 0; v < nodeCount; v++) {
    const c = component[v]!;
    if (size[c]! < 2 || done[c] === 1) continue;
    done[c] = 1; // v is the component's lowest node: nodes are visited in order
    cycles.push(shortestCycle(v, component, out, from, to));
  }
  return cycles;
}

/** The edges leaving each node: edges[start[v] .. start[v + 1]). */
interface Outgoing {
  start: Int32Array;
  edges: Int32Array;
}

function outgoing(nodeCount: number, from: readonly number[]): Outgoing {
  const start = new Int32Array(nodeCount + 1);
  for (const f of from) start[f + 1]!++;
  for (let v = 0; v < nodeCount; v++) start[v + 1]! += start[v]!;
  const edges = new Int32Array(from.length);
  const placed = start.slice(0, nodeCount);
  from.forEach((f, e) => (edges[placed[f]!++] = e));
  return { start, edges };
}

/** Each node's strongly connected component (Tarjan), numbered from 0. */
function components(nodeCount: number, out: Outgoing, to: readonly number[]): Int32Array {
  const order = new Int32Array(nodeCount).fill(-1);
  const low = new Int32Array(nodeCount);
  const component = new Int32Array(nodeCount).fill(-1);
  const stack: number[] = [];
  // The depth-first path: each node, and the position of the next edge it will follow.
  const path: number[] = [];
  const next: number[] = [];
  let visited = 0;
  let count = 0;
  for (let root = 0; root < nodeCount; root++) {
    if (order[root] !== -1) continue;
    const enter = (v: number): void => {
      order[v] = low[v] = visited++;
      stack.push(v);
      path.push(v);
      next.push(out.start[v]!);
    };
    enter(root);
    while (path.length > 0) {
      const v = path[path.length - 1]!;
      const at = next[next.length - 1]!;
      if (at < out.start[v + 1]!) {
        next[next.length - 1] = at + 1;
        const w = to[out.edges[at]!]!;
        if (order[w] === -1) enter(w);
        else if (component[w] === -1) low[v] = Math.min(low[v]!, order[w]!); // w is on the stack
        continue;
      }
      path.pop();
      next.pop();
      if (path.length > 0) {
        const parent = path[path.length - 1]!;
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === order[v]) {
        for (let w = stack.pop()!; ; w = stack.pop()!) {
          component[w] = count;
          if (w === v) break;
        }
        count++;
      }
    }
  }
  return component;
}

/** The shortest cycle through `start` within its component (breadth first), as edge indices. */
function shortestCycle(start: number, component: Int32Array, out: Outgoing, from: readonly number[], to: readonly number[]): number[] {
  const c = component[start]!;
  const via = new Map<number, number>(); // node → the edge it was reached by
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (let at = out.start[v]!; at < out.start[v + 1]!; at++) {
      const e = out.edges[at]!;
      const w = to[e]!;
      if (component[w] !== c) continue; // speed only: no path outside it leads back to start
      if (w === start) {
        const cycle = [e];
        for (let u = v; u !== start; u = from[cycle[cycle.length - 1]!]!) cycle.push(via.get(u)!);
        return cycle.reverse();
      }
      if (!via.has(w)) {
        via.set(w, e);
        queue.push(w);
      }
    }
  }
  // Unreachable: a component of two or more nodes has a cycle through each of them.
  throw new Error(`order-cycles: no cycle through node ${start} of its component`);
}
