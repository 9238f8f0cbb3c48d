import type { V1Container } from '@kubernetes/client-node';
import { expect } from 'chai';
import { podPool, type Opt } from '../../../testing/builders.js';
import { validatePodPool } from './podpool-validation.js';
import type { PodPool } from './types.js';

const withRuntime = (c: Partial<V1Container>): Opt<PodPool> => (p) => void Object.assign(p.spec.template.spec!.containers[0]!, c);

describe('api/kzero/v1alpha1 validatePodPool', () => {
  const spec = (s: Partial<PodPool['spec']>): Opt<PodPool> => (p) => void Object.assign(p.spec, s);
  const cases: Array<{ name: string; pool: PodPool; want: string | undefined }> = [
    { name: 'the default pool is valid', pool: podPool('node'), want: undefined },
    { name: 'every field at its bound is valid', pool: podPool('node', spec({ minReady: 0, maxReady: 0, autosizing: { windowSeconds: 1, refillSeconds: 0, headroomPercent: 0 } })), want: undefined },
    { name: 'no containers', pool: podPool('node', (p) => void (p.spec.template.spec!.containers = [])), want: 'spec.template.spec.containers: want exactly one container (the runtime), got 0' },
    { name: 'no template spec', pool: podPool('node', (p) => void delete p.spec.template.spec), want: 'spec.template.spec.containers: want exactly one container (the runtime), got 0' },
    { name: 'two containers', pool: podPool('node', (p) => void p.spec.template.spec!.containers.push({ name: 'b', image: 'b' })), want: 'spec.template.spec.containers: want exactly one container (the runtime), got 2' },
    { name: 'no image', pool: podPool('node', withRuntime({ image: '' })), want: 'spec.template.spec.containers[0].image: required' },
    { name: 'minReady negative', pool: podPool('node', spec({ minReady: -1 })), want: 'spec.minReady: must be an integer >= 0, got -1' },
    { name: 'minReady not an integer', pool: podPool('node', spec({ minReady: 1.5 })), want: 'spec.minReady: must be an integer >= 0, got 1.5' },
    { name: 'maxReady below minReady', pool: podPool('node', spec({ minReady: 3, maxReady: 2 })), want: 'spec.maxReady: must be an integer >= minReady, got 2' },
    { name: 'maxReady not an integer', pool: podPool('node', spec({ maxReady: 2.5 })), want: 'spec.maxReady: must be an integer >= minReady, got 2.5' },
    { name: 'maxReady negative', pool: podPool('node', spec({ maxReady: -1 })), want: 'spec.maxReady: must be an integer >= minReady, got -1' },
    { name: 'windowSeconds below 1', pool: podPool('node', spec({ autosizing: { windowSeconds: 0.5 } })), want: 'spec.autosizing.windowSeconds: must be a number >= 1, got 0.5' },
    { name: 'refillSeconds negative', pool: podPool('node', spec({ autosizing: { refillSeconds: -1 } })), want: 'spec.autosizing.refillSeconds: must be a number >= 0, got -1' },
    { name: 'headroomPercent negative', pool: podPool('node', spec({ autosizing: { headroomPercent: -10 } })), want: 'spec.autosizing.headroomPercent: must be a number >= 0, got -10' },
    { name: 'headroomPercent not a number', pool: podPool('node', spec({ autosizing: { headroomPercent: '50' as unknown as number } })), want: 'spec.autosizing.headroomPercent: must be a number >= 0, got 50' },
    { name: 'windowSeconds NaN', pool: podPool('node', spec({ autosizing: { windowSeconds: Number.NaN } })), want: 'spec.autosizing.windowSeconds: must be a number >= 1, got NaN' },
  ];
  for (const c of cases) it(c.name, () => expect(validatePodPool(c.pool)).to.equal(c.want));
});
