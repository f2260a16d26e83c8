/** Parsing of ZooKeeper's four-letter-word answers (srvr), used to find the leader. */

export type ServerMode = 'leader' | 'follower' | 'observer' | 'standalone' | 'not serving';

export interface ServerStatus {
  mode: ServerMode;
  zxid?: string;
}

export function parseSrvr(answer: string): ServerStatus {
  const mode = /^Mode:\s*(\S+)/m.exec(answer)?.[1];
  const zxid = /^Zxid:\s*(0x[0-9a-f]+)/im.exec(answer)?.[1];
  if (mode === 'leader' || mode === 'follower' || mode === 'observer' || mode === 'standalone') {
    return zxid ? { mode, zxid } : { mode };
  }
  // "This ZooKeeper instance is not currently serving requests" while there is no quorum.
  return { mode: 'not serving' };
}
