import { expect } from 'chai';
import { localClusterConfig } from '../config.js';
import { certRequests, extensionsFor, firstServiceIp, tokenIdentities, type CertRequest } from './certs.js';

describe('certs', () => {
  describe('firstServiceIp', () => {
    const cases: Array<{ cidr: string; want: string }> = [
      { cidr: '10.96.0.0/16', want: '10.96.0.1' },
      { cidr: '10.0.0.0/24', want: '10.0.0.1' },
      { cidr: '172.20.0.0/12', want: '172.20.0.1' },
      { cidr: '192.168.10.0', want: '192.168.10.1' },
    ];
    for (const c of cases) {
      it(`${c.cidr} -> ${c.want}`, () => {
        expect(firstServiceIp(c.cidr)).to.equal(c.want);
      });
    }
    for (const cidr of ['garbage', '10.96.0/16', '10.96.0.0.0/16', '10.96.x.0/16', '']) {
      it(`${JSON.stringify(cidr)} throws`, () => {
        expect(() => firstServiceIp(cidr)).to.throw(`invalid service CIDR ${cidr}`);
      });
    }
  });

  describe('extensionsFor', () => {
    const cases: Array<{ name: string; req: CertRequest; want: string[] }> = [
      {
        name: 'server with DNS names and IPs',
        req: { file: 'apiserver', commonName: 'kube-apiserver', usage: 'server', dnsNames: ['localhost', 'kubernetes'], ips: ['127.0.0.1', '10.96.0.1'] },
        want: [
          'basicConstraints=critical,CA:FALSE',
          'keyUsage=critical,digitalSignature,keyEncipherment',
          'extendedKeyUsage=serverAuth',
          'subjectAltName=DNS:localhost,DNS:kubernetes,IP:127.0.0.1,IP:10.96.0.1',
        ],
      },
      {
        name: 'server with IPs only',
        req: { file: 's', commonName: 's', usage: 'server', ips: ['10.244.0.1'] },
        want: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth', 'subjectAltName=IP:10.244.0.1'],
      },
      {
        name: 'client: clientAuth, no SAN line',
        req: { file: 'c', commonName: 'c', organization: 'system:masters', usage: 'client' },
        want: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth'],
      },
      {
        name: 'empty SAN lists: no SAN line',
        req: { file: 'c', commonName: 'c', usage: 'server', dnsNames: [], ips: [] },
        want: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth'],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        expect(extensionsFor(c.req)).to.equal(c.want.join('\n'));
      });
    }
  });

  describe('certRequests', () => {
    const cases: Array<{ name: string; env: NodeJS.ProcessEnv; bridgeIp: string; nodeName: string }> = [
      { name: 'defaults', env: { KZERO_HOME: '/tmp/x' }, bridgeIp: '10.244.0.1', nodeName: 'kzero-node' },
      { name: 'custom pod prefix and node name', env: { KZERO_HOME: '/tmp/x', KZERO_POD_CIDR_PREFIX: '10.50', KZERO_NODE_NAME: 'n2' }, bridgeIp: '10.50.0.1', nodeName: 'n2' },
    ];
    for (const c of cases) {
      it(`${c.name}: apiserver, kubelet client, kubelet serving and webhook serving certificates`, () => {
        expect(certRequests(localClusterConfig(c.env))).to.deep.equal([
          {
            file: 'apiserver',
            commonName: 'kube-apiserver',
            usage: 'server',
            dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
            ips: ['127.0.0.1', c.bridgeIp, '10.96.0.1'],
          },
          { file: 'apiserver-kubelet-client', commonName: 'kube-apiserver-kubelet-client', organization: 'system:masters', usage: 'client' },
          { file: 'kubelet', commonName: `system:node:${c.nodeName}`, usage: 'server', dnsNames: [c.nodeName, 'localhost'], ips: [c.bridgeIp, '127.0.0.1'] },
          { file: 'webhook', commonName: 'kzero-webhook', usage: 'server', dnsNames: ['kzero-webhook.kzero-system.svc', 'localhost'], ips: [c.bridgeIp, '127.0.0.1'] },
        ]);
      });
    }

    it('the apiserver SAN line carries the bridge and kubernetes service IPs', () => {
      const apiserver = certRequests(localClusterConfig({ KZERO_HOME: '/tmp/x' })).find((r) => r.file === 'apiserver');
      expect(apiserver).to.not.equal(undefined);
      expect(extensionsFor(apiserver!).split('\n')).to.include(
        'subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.244.0.1,IP:10.96.0.1',
      );
    });
  });

  describe('tokenIdentities', () => {
    it('admin, controller-manager, scheduler, the node, and kzero\'s components as their ServiceAccounts', () => {
      expect(tokenIdentities(localClusterConfig({ KZERO_HOME: '/tmp/x', KZERO_NODE_NAME: 'n1' }))).to.deep.equal([
        { kubeconfig: 'kubeconfig', user: 'kzero-admin', groups: ['system:masters'] },
        { kubeconfig: 'pki/controller-manager.kubeconfig', user: 'system:kube-controller-manager', groups: [] },
        { kubeconfig: 'pki/scheduler.kubeconfig', user: 'system:kube-scheduler', groups: [] },
        { kubeconfig: 'pki/node.kubeconfig', user: 'system:node:n1', groups: ['system:nodes'] },
        ...['controller', 'webhook', 'autoscaler', 'activator'].map((c) => ({
          kubeconfig: `pki/${c}.kubeconfig`,
          user: `system:serviceaccount:kzero-system:kzero-${c}`,
          groups: ['system:serviceaccounts', 'system:serviceaccounts:kzero-system'],
        })),
      ]);
    });
  });
});

describe('localClusterConfig', () => {
  it('defaults from KZERO_HOME', () => {
    const config = localClusterConfig({ KZERO_HOME: '/tmp/x', KZERO_KUBE_BIN: '/opt/kube' });
    expect(config).to.deep.equal({
      home: '/tmp/x',
      kubernetesVersion: '1.20.2',
      binDir: '/opt/kube',
      nodeName: 'kzero-node',
      podCidr: '10.244.0.0/16',
      bridgeName: 'kzero0',
      bridgeIp: '10.244.0.1',
      serviceCidr: '10.96.0.0/16',
      etcdClientPort: 12379,
      etcdPeerPort: 12380,
      apiserverPort: 6443,
      kubeletPort: 10250,
      dirs: { pki: '/tmp/x/pki', logs: '/tmp/x/logs', run: '/tmp/x/run', etcd: '/tmp/x/etcd', node: '/tmp/x/node', podLogs: '/tmp/x/logs/pods' },
    });
    expect(Object.isFrozen(config)).to.equal(true);
    expect(Object.isFrozen(config.dirs)).to.equal(true);
  });

  const ports: Array<{ env: string; field: 'etcdClientPort' | 'etcdPeerPort' | 'apiserverPort' | 'kubeletPort'; value: string; want: number }> = [
    { env: 'KZERO_APISERVER_PORT', field: 'apiserverPort', value: '7443', want: 7443 },
    { env: 'KZERO_ETCD_PORT', field: 'etcdClientPort', value: '1', want: 1 },
    { env: 'KZERO_ETCD_PEER_PORT', field: 'etcdPeerPort', value: '65535', want: 65535 },
    { env: 'KZERO_KUBELET_PORT', field: 'kubeletPort', value: '', want: 10250 },
  ];
  for (const c of ports) {
    it(`${c.env}=${JSON.stringify(c.value)} -> ${c.field} ${c.want}`, () => {
      expect(localClusterConfig({ KZERO_HOME: '/tmp/x', [c.env]: c.value })[c.field]).to.equal(c.want);
    });
  }

  for (const [name, value] of [['KZERO_APISERVER_PORT', 'abc'], ['KZERO_APISERVER_PORT', '0'], ['KZERO_ETCD_PORT', '65536'], ['KZERO_KUBELET_PORT', '1.5'], ['KZERO_ETCD_PEER_PORT', '-1']] as const) {
    it(`rejects ${name}=${value} with a message`, () => {
      expect(() => localClusterConfig({ KZERO_HOME: '/tmp/x', [name]: value })).to.throw(`invalid port ${JSON.stringify(value)}`);
    });
  }

  for (const prefix of ['10.50', '0.0', '255.255']) {
    it(`accepts KZERO_POD_CIDR_PREFIX=${prefix}`, () => {
      const config = localClusterConfig({ KZERO_HOME: '/tmp/x', KZERO_POD_CIDR_PREFIX: prefix });
      expect([config.podCidr, config.bridgeIp]).to.deep.equal([`${prefix}.0.0/16`, `${prefix}.0.1`]);
    });
  }

  for (const prefix of ['10', '10.244.0', '10.256', 'a.b', '10.-1', '10.244/16', '1000.1', '10..']) {
    it(`rejects KZERO_POD_CIDR_PREFIX=${prefix} with a message`, () => {
      expect(() => localClusterConfig({ KZERO_HOME: '/tmp/x', KZERO_POD_CIDR_PREFIX: prefix })).to.throw(
        `KZERO_POD_CIDR_PREFIX=${prefix}: want the first two octets of a /16, e.g. 10.244`,
      );
    });
  }
});
