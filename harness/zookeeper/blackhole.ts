/**
 * The shell that cuts and heals a partition inside one member's network namespace, whatever
 * enters it (a privileged docker exec, nsenter on a kind node or from a helper pod): blackhole routes to the other
 * side's addresses. Packets to them are dropped, and since neither side can complete a handshake
 * the cut is effectively both ways. Run as root in the member's network namespace.
 */
export function cutOffScript(addresses: readonly string[]): string {
  return addresses.map((address) => `ip route replace blackhole ${address}/32`).join(' && ');
}

/** Removes every blackhole route in the namespace: the partition's (faults never overlap, so no other is there). */
export const HEAL_SCRIPT = 'ip route show type blackhole | while read -r _ dst _; do ip route del blackhole "$dst"; done';
