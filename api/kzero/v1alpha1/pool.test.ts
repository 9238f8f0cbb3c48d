import type { V1Container } from '@kubernetes/client-node';
import { expect } from 'chai';
import { podPool, revision, withAnnotations, type Opt } from '../../../testing/builders.js';
import { poolCode, poolServingPort } from './pool.js';
import type { PodPool } from './types.js';

const withRuntime = (c: Partial<V1Container>): Opt<PodPool> => (p) => void Object.assign(p.spec.template.spec!.containers[0]!, c);

describe('api/kzero/v1alpha1/pool', () => {
  describe('poolServingPort', () => {
    const cases: Array<{ name: string; pool: PodPool; want: number }> = [
      { name: 'no port: 8080', pool: podPool('node'), want: 8080 },
      { name: 'the first port of the container', pool: podPool('node', withRuntime({ ports: [{ containerPort: 3000 }, { containerPort: 3001 }] })), want: 3000 },
      { name: 'port 0: 8080', pool: podPool('node', withRuntime({ ports: [{ containerPort: 0 }] })), want: 8080 },
    ];
    for (const c of cases) it(c.name, () => expect(poolServingPort(c.pool)).to.equal(c.want));
  });

  describe('poolCode', () => {
    const all = { 'kzero.dev/pool': 'node', 'kzero.dev/code': 'http://pkg/x.tgz', 'kzero.dev/code-sha256': 'ab12' };
    it('all three annotations: the pool and the package', () =>
      expect(poolCode(revision('r', withAnnotations(all)))).to.deep.equal({ pool: 'node', url: 'http://pkg/x.tgz', sha256: 'ab12' }));
    for (const missing of Object.keys(all)) {
      it(`without ${missing}: not pool-backed`, () => {
        const partial = Object.fromEntries(Object.entries(all).filter(([k]) => k !== missing));
        expect(poolCode(revision('r', withAnnotations(partial)))).to.equal(undefined);
      });
    }
  });
});
