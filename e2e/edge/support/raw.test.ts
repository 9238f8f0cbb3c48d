import { expect } from 'chai';
import net from 'node:net';
import { RawConnection } from './raw.js';

// The raw client against a scripted server on port 0.
describe('RawConnection', () => {
  let server: net.Server;
  let port: number;
  let onConnection: (s: net.Socket) => void;
  before(async () => {
    server = net.createServer({ allowHalfOpen: true }, (s) => onConnection(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => server.close());

  it('waits for the responses it is told to, however they are split', async () => {
    onConnection = (s) => {
      s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\no');
      setTimeout(() => s.write('kHTTP/1.1 204 No Content\r\n\r\n'), 20);
    };
    const conn = await RawConnection.open(port);
    try {
      const read = await conn.responses(2);
      expect(read.responses.map((r) => [r.status, r.body.toString()])).to.deep.equal([[200, 'ok'], [204, '']]);
      expect(conn.ended).to.equal(false);
    } finally {
      conn.destroy();
    }
  });

  it('sees the server end the connection and keeps its own side open', async () => {
    let serverSide: net.Socket | undefined;
    const readable = new Promise<string>((resolve) => {
      onConnection = (s) => {
        serverSide = s;
        s.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n');
        s.once('data', (d: Buffer) => resolve(d.toString()));
      };
    });
    const conn = await RawConnection.open(port);
    try {
      expect(await conn.closed()).to.equal(true);
      expect(conn.read().responses.map((r) => r.status)).to.deep.equal([400]);
      // Half-open: what the client writes after the server's FIN still arrives.
      await conn.write('still here');
      expect(await readable).to.equal('still here');
      expect(serverSide?.readableEnded).to.equal(false);
    } finally {
      conn.destroy();
    }
  });

  it('gives up waiting at its deadline', async () => {
    onConnection = () => undefined;
    const conn = await RawConnection.open(port);
    try {
      const t0 = performance.now();
      expect(await conn.closed(100)).to.equal(false);
      expect(performance.now() - t0).to.be.within(90, 1000);
    } finally {
      conn.destroy();
    }
  });
});
