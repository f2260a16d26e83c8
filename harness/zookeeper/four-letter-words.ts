/** ZooKeeper's four-letter words asked inside a member's container, and their answers (srvr), used to find the leader. */

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

/**
 * The shell command that asks the member in this container a four-letter word. Not
 * `echo srvr | nc`: with Debian's nc.openbsd that came back empty about one time in twenty
 * (measured in a member: 114 of 2,000), which would read as "not serving". This writes the word
 * on a bash /dev/tcp socket and reads until the server closes the connection (1,000 of 1,000).
 */
export function fourLetterWordCommand(word: string, timeoutSeconds: number): string[] {
  return ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/2181 && printf ${word} >&3 && timeout ${timeoutSeconds} cat <&3`];
}
