// Which process listens on a local TCP port, from /proc (Linux only): the bench samples the CPU
// of the Kafka broker it runs beside the servers, and the broker harness does not expose its pid.
import fs from 'node:fs';

const LISTEN_STATE = '0A';
/** /proc holds a few hundred processes here; stop looking after this many. */
const MAX_PROCESSES_SCANNED = 20_000;

/** Socket inodes of listeners on `port` (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      const portHex = f[1]?.split(':').pop();
      if (portHex === undefined || f[3] !== LISTEN_STATE || f[9] === undefined) continue;
      if (Number.parseInt(portHex, 16) === port) inodes.add(f[9]);
    }
  }
  return inodes;
}

/** The pid of the process listening on `port`, or undefined (not Linux, not ours to see, nobody). */
export function pidListeningOn(port: number): number | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return undefined;
  }
  let scanned = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    if (++scanned > MAX_PROCESSES_SCANNED) break;
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${entry}/fd/${fd}`));
        if (m?.[1] !== undefined && inodes.has(m[1])) return Number(entry);
      } catch {
        // The fd closed while we looked.
      }
    }
  }
  return undefined;
}

/** The port of a host:port, or undefined. */
export function portOf(address: string): number | undefined {
  const m = /:(\d{1,5})$/.exec(address);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}
