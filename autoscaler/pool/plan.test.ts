// planScale (pure): from replicas + claimed pods to the desired scale.
import { expect } from 'chai';
import { planScale, type ScalePlan } from './plan.js';

describe('autoscaler/pool planScale', () => {
  const cases: Array<{ name: string; desired: number; replicas: number; claimed: string[]; want: ScalePlan }> = [
    { name: 'up from zero: add all, replicas as if all came from the Deployment', desired: 3, replicas: 0, claimed: [], want: { add: 3, removeClaimed: [], replicas: 3 } },
    { name: 'up with claimed pods: they count', desired: 5, replicas: 1, claimed: ['c2', 'c1'], want: { add: 2, removeClaimed: [], replicas: 3 } },
    { name: 'no change', desired: 3, replicas: 1, claimed: ['c2', 'c1'], want: { add: 0, removeClaimed: [], replicas: 1 } },
    { name: 'no change at zero', desired: 0, replicas: 0, claimed: [], want: { add: 0, removeClaimed: [], replicas: 0 } },
    { name: 'down: claimed pods go first, in the order given (newest first)', desired: 2, replicas: 1, claimed: ['c3', 'c2', 'c1'], want: { add: 0, removeClaimed: ['c3', 'c2'], replicas: 1 } },
    { name: 'down by exactly the claimed pods', desired: 1, replicas: 1, claimed: ['c2', 'c1'], want: { add: 0, removeClaimed: ['c2', 'c1'], replicas: 1 } },
    { name: 'down past all claimed pods into replicas', desired: 1, replicas: 3, claimed: ['c2', 'c1'], want: { add: 0, removeClaimed: ['c2', 'c1'], replicas: 1 } },
    { name: 'down to zero', desired: 0, replicas: 2, claimed: ['c1'], want: { add: 0, removeClaimed: ['c1'], replicas: 0 } },
    { name: 'down without claimed pods: replicas only', desired: 1, replicas: 4, claimed: [], want: { add: 0, removeClaimed: [], replicas: 1 } },
  ];
  for (const c of cases) it(c.name, () => expect(planScale(c.desired, c.replicas, c.claimed)).to.deep.equal(c.want));
});
