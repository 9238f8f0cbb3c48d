import type { Socket } from 'node:net';
import { responseHeadForClient, type ResponseHead } from './head.js';
import type { Swept } from './hooks.js';
import { lingerOver, startLinger, type Linger } from './linger.js';

// An upgraded connection (WebSocket, or any protocol a pod switched to with 101): from the handshake on,
// bytes go both ways untouched, with backpressure each way. It ends when both sockets have closed, or
// when both directions stay quiet for the idle timeout; the pod slot is released then. Client bytes sent
// before the 101 are still in the client socket's buffer: they flow to the pod first.

/** The idle timeout of a tunnel whose revision sets none (idleTimeoutSeconds): an hour without a byte either way. */
export const TUNNEL_IDLE_MS = 60 * 60 * 1000;

export interface TunnelOptions {
  /** Both directions quiet this long close the tunnel (ms). */
  idleMs: number;
  now(): number;
  /** Pod bytes that came right after its 101 head: they go to the client first. */
  podFirst: Buffer | undefined;
  /** Once, when both sockets have closed. */
  onEnd(): void;
}

/**
 * The head the client gets for a pod's 101, or undefined if it names no protocol. The pod's Connection and
 * Upgrade are hop-by-hop like any: the head is the activator's, and it announces the switch itself.
 */
export function switchingHead(res: ResponseHead): string | undefined {
  let protocol: string | undefined;
  for (let i = 0; i < res.headers.length; i += 2) if (res.headers[i]!.toLowerCase() === 'upgrade') protocol = res.headers[i + 1];
  if (!protocol) return undefined;
  return `${responseHeadForClient(res, false).slice(0, -2)}connection: upgrade\r\nupgrade: ${protocol}\r\n\r\n`;
}

export class Tunnel implements Swept {
  private lastIo: number;
  /** One end has closed: the other has been ended and gets this long to close too. */
  private linger: { socket: Socket; state: Linger } | undefined;
  private open = 2;

  constructor(private readonly client: Socket, private readonly pod: Socket, private readonly opts: TunnelOptions) {
    this.lastIo = opts.now();
    if (opts.podFirst) client.write(opts.podFirst);
    this.relay(client, pod);
    this.relay(pod, client);
    client.resume();
    pod.resume();
  }

  private relay(from: Socket, to: Socket): void {
    from.on('data', (d: Buffer) => {
      this.lastIo = this.opts.now();
      if (!to.write(d)) from.pause();
    });
    to.on('drain', () => from.resume());
    from.on('end', () => to.end()); // a half-close goes on to the other side
    from.on('error', () => {
      from.destroy();
      to.destroy();
    });
    from.on('close', () => this.closed(to));
  }

  private closed(other: Socket): void {
    if (!other.destroyed && !this.linger) {
      other.end();
      this.linger = { socket: other, state: startLinger(other.writableLength, this.opts.now()) };
    }
    if (--this.open === 0) this.opts.onEnd();
  }

  sweep(now: number): void {
    if (now - this.lastIo >= this.opts.idleMs) {
      this.client.destroy();
      this.pod.destroy();
    } else if (this.linger && lingerOver(this.linger.state, this.linger.socket.writableLength, now)) {
      this.linger.socket.destroy();
    }
  }

  /** A tunnel is always in use: it ends with its two sides, or at the drain's deadline. */
  closeIfIdle(): void {}
}
