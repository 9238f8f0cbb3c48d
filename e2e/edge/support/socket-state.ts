// Reading the kernel's TCP table (pure).

export type SocketState = 'held' | 'orphaned' | 'gone';

/**
 * The server side of the connection from 127.0.0.1:`clientPort` to 127.0.0.1:`serverPort` in a
 * /proc/net/tcp table (pure): 'held' while a process owns it (inode not 0); 'orphaned' once the process
 * closed it and only the kernel finishes the TCP close; 'gone' if it is not in the table.
 */
export function serverSocketState(table: string, serverPort: number, clientPort: number): SocketState {
  const hex = (port: number): string => port.toString(16).toUpperCase().padStart(4, '0');
  const local = `0100007F:${hex(serverPort)}`;
  const remote = `0100007F:${hex(clientPort)}`;
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[2] === remote) return f[9] === '0' ? 'orphaned' : 'held';
  }
  return 'gone';
}
