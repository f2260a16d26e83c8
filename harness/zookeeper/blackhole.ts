/**
 * The shell that cuts and heals a partition inside one member's network namespace, whatever
 * enters it (a privileged docker exec, nsenter on a kind node or from a helper pod): blackhole routes to the other
 * side's addresses. Packets to them are dropped, and since neither side can complete a handshake
 * the cut is effectively both ways. Run as root in the member's network namespace.
 */
export function cutOffScript(addresses: readonly string[]): string {
  return addresses.map((address) => `ip route replace blackhole ${address}/32`).join(' && ');
}

/**
 * Slows the traffic from this namespace to `addresses` to `kbit` kilobits per second (an HTB class
 * the addresses are filtered into; everything else goes as before). What exceeds the rate waits in
 * the queue: a slow link, not a cut one. Run as root in the member's network namespace.
 */
export function slowScript(addresses: readonly string[], kbit: number): string {
  const first = addresses[0];
  if (first === undefined) return 'true';
  return [
    `dev=$(ip -o route get ${first} | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1) }')`,
    'tc qdisc replace dev "$dev" root handle 1: htb default 10',
    'tc class replace dev "$dev" parent 1: classid 1:10 htb rate 10gbit',
    `tc class replace dev "$dev" parent 1: classid 1:20 htb rate ${kbit}kbit ceil ${kbit}kbit`,
    ...addresses.map((address) => `tc filter add dev "$dev" parent 1: protocol ip prio 1 u32 match ip dst ${address}/32 flowid 1:20`),
  ].join(' && ');
}

/**
 * Removes every blackhole route and every shaping in the namespace: the partition's and the slow
 * link's (network faults never overlap on one member, so no other is there).
 */
export const HEAL_SCRIPT =
  'ip route show type blackhole | while read -r _ dst _; do ip route del blackhole "$dst"; done; ' +
  // The devices as netlink lists them in this namespace (/sys/class/net would be the mounting namespace's on a node).
  "for dev in $(ip -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1); do tc qdisc del dev \"$dev\" root 2>/dev/null; done; true";
