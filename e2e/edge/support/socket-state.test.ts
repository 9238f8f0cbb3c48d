import { expect } from 'chai';
import { serverSocketState } from './socket-state.js';

// /proc/net/tcp as the kernel writes it: addresses in hex (IPv4 little-endian), the inode in column 10.
const TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5555 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:A001 01 00000000:00000000 00:00000000 00000000     0        0 7777 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 0100007F:A002 05 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:A003 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 8888 1 0000000000000000 20 4 30 10 -1
`;

describe('serverSocketState', () => {
  it('is held while the server process owns the socket', () => {
    expect(serverSocketState(TABLE, 8080, 0xa001)).to.equal('held');
  });
  it('is orphaned once the process closed it (inode 0)', () => {
    expect(serverSocketState(TABLE, 8080, 0xa002)).to.equal('orphaned');
  });
  it('is gone when absent, and never mistakes the client side for the server side', () => {
    expect(serverSocketState(TABLE, 8080, 0xa003)).to.equal('gone');
    expect(serverSocketState(TABLE, 8081, 0xa001)).to.equal('gone');
  });
});
