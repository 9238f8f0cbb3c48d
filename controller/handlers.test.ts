import { expect } from 'chai';
import { hostRivals, type Queue } from './handlers.js';
import { route, withNamespace, withStatusTraffic, withTraffic } from '../testing/builders.js';

const queued = (): Queue & { keys: string[] } => {
  const keys: string[] = [];
  return { keys, enqueue: (o) => keys.push(`${o.metadata?.namespace}/${o.metadata?.name}`), enqueueKey: (k) => keys.push(k) };
};

describe('handlers hostRivals', () => {
  const cases: Array<{ name: string; r: ReturnType<typeof route>; want: string[] }> = [
    { name: 'an untagged Route without a dash: nobody', r: route('hello'), want: [] },
    // a-b's own host is b's tag `a`.
    { name: 'a Route whose name a tag can spell: that tag\'s Route', r: route('a-b', withNamespace('team')), want: ['team/b'] },
    {
      name: 'tags in spec and status: the Routes that could claim each tag\'s host',
      r: route('b', withTraffic({ tag: 'x-c', percent: 0 }), withStatusTraffic({ tag: 'old', revisionName: 'b-1', percent: 0 })),
      want: ['default/x-c-b', 'default/c-b', 'default/old-b'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const q = queued();
      hostRivals(q)(c.r);
      expect(q.keys).to.deep.equal(c.want);
    });
  }
});
