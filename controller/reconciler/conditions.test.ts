import { expect } from 'chai';
import { ConditionManager, conditionSet, conditionStatus, findCondition } from '../../api/conditions.js';
import type { Condition, Status } from '../../api/serving/v1/types.js';
import { EARLIER, NOW, cond } from '../../testing/builders.js';

// api/conditions.ts's ConditionManager, against knative.dev/pkg/apis/condition_set.go's behaviour. (Tests of
// the controller live under controller/; this one exercises the condition sets every reconciler relies on.)

const set = conditionSet('Ready', 'A', 'B');
const LATER = '2024-06-01T00:00:00.000Z';

type Step = (c: ConditionManager) => unknown;

describe('api/conditions ConditionManager', () => {
  const cases: Array<{ name: string; before?: Condition[]; steps: Step[]; want: Condition[] }> = [
    {
      name: 'initialize: every condition Unknown, sorted by type',
      steps: [(c) => c.initialize()],
      want: [cond('A', 'Unknown'), cond('B', 'Unknown'), cond('Ready', 'Unknown')],
    },
    {
      name: 'initialize keeps what is there',
      before: [cond('A', 'True', undefined, undefined, { at: EARLIER })],
      steps: [(c) => c.initialize()],
      want: [cond('A', 'True', undefined, undefined, { at: EARLIER }), cond('B', 'Unknown'), cond('Ready', 'Unknown')],
    },
    {
      name: 'one dependent True: happy stays Unknown (no reason from an Unknown without one)',
      steps: [(c) => c.initialize(), (c) => c.markTrue('A')],
      want: [cond('A', 'True'), cond('B', 'Unknown'), cond('Ready', 'Unknown')],
    },
    {
      name: 'all dependents True: happy True',
      steps: [(c) => c.initialize(), (c) => c.markTrue('A'), (c) => c.markTrue('B')],
      want: [cond('A', 'True'), cond('B', 'True'), cond('Ready', 'True')],
    },
    {
      name: 'a dependent False: happy False with its reason and message',
      steps: [(c) => c.initialize(), (c) => c.markTrue('A'), (c) => c.markFalse('B', 'Broken', 'B is broken')],
      want: [cond('A', 'True'), cond('B', 'False', 'Broken', 'B is broken'), cond('Ready', 'False', 'Broken', 'B is broken')],
    },
    {
      name: 'two dependents False: happy takes the first in the set\'s order',
      steps: [(c) => c.initialize(), (c) => c.markFalse('B', 'BBad', 'b'), (c) => c.markFalse('A', 'ABad', 'a')],
      want: [cond('A', 'False', 'ABad', 'a'), cond('B', 'False', 'BBad', 'b'), cond('Ready', 'False', 'ABad', 'a')],
    },
    {
      name: 'a dependent Unknown with a reason: happy Unknown with it',
      steps: [(c) => c.initialize(), (c) => c.markTrue('B'), (c) => c.markUnknown('A', 'Waiting', 'for A')],
      want: [cond('A', 'Unknown', 'Waiting', 'for A'), cond('B', 'True'), cond('Ready', 'Unknown', 'Waiting', 'for A')],
    },
    {
      name: 'False beats Unknown',
      steps: [(c) => c.initialize(), (c) => c.markUnknown('A', 'Waiting', 'w'), (c) => c.markFalse('B', 'Bad', 'b')],
      want: [cond('A', 'Unknown', 'Waiting', 'w'), cond('B', 'False', 'Bad', 'b'), cond('Ready', 'False', 'Bad', 'b')],
    },
    {
      name: 'recovery: the failed dependent True again makes happy True',
      steps: [(c) => c.initialize(), (c) => c.markTrue('A'), (c) => c.markFalse('B', 'Bad', 'b'), (c) => c.markTrue('B')],
      want: [cond('A', 'True'), cond('B', 'True'), cond('Ready', 'True')],
    },
    {
      name: 'a condition outside the set gets severity Info and does not touch happy',
      steps: [(c) => c.initialize(), (c) => c.markTrue('A'), (c) => c.markTrue('B'), (c) => c.markFalse('Active', 'NoTraffic', 'idle')],
      want: [cond('A', 'True'), cond('Active', 'False', 'NoTraffic', 'idle', { severity: 'Info' }), cond('B', 'True'), cond('Ready', 'True')],
    },
    {
      name: 'marking happy directly does not recompute it',
      steps: [(c) => c.initialize(), (c) => c.markFalse('Ready', 'Manual', 'set by hand')],
      want: [cond('A', 'Unknown'), cond('B', 'Unknown'), cond('Ready', 'False', 'Manual', 'set by hand')],
    },
    {
      name: 'empty reason and message are left out',
      steps: [(c) => c.markUnknown('A', '', '')],
      want: [cond('A', 'Unknown'), cond('Ready', 'Unknown')],
    },
    {
      name: 'transition time kept when the status is unchanged, even if the reason changes',
      before: [cond('A', 'False', 'Old', 'old', { at: EARLIER }), cond('B', 'True', undefined, undefined, { at: EARLIER }), cond('Ready', 'False', 'Old', 'old', { at: EARLIER })],
      steps: [(c) => c.markFalse('A', 'New', 'new')],
      want: [cond('A', 'False', 'New', 'new', { at: EARLIER }), cond('B', 'True', undefined, undefined, { at: EARLIER }), cond('Ready', 'False', 'New', 'new', { at: EARLIER })],
    },
    {
      name: 'transition time moves when the status changes',
      before: [cond('A', 'False', 'Old', 'old', { at: EARLIER }), cond('B', 'True', undefined, undefined, { at: EARLIER }), cond('Ready', 'False', 'Old', 'old', { at: EARLIER })],
      steps: [(c) => c.markTrue('A')],
      want: [cond('A', 'True'), cond('B', 'True', undefined, undefined, { at: EARLIER }), cond('Ready', 'True')],
    },
    {
      name: 'marking True what is True changes nothing',
      before: [cond('A', 'True', undefined, undefined, { at: EARLIER }), cond('B', 'True', undefined, undefined, { at: EARLIER }), cond('Ready', 'True', undefined, undefined, { at: EARLIER })],
      steps: [(c) => c.markTrue('A'), (c) => c.markTrue('B'), (c) => c.initialize()],
      want: [cond('A', 'True', undefined, undefined, { at: EARLIER }), cond('B', 'True', undefined, undefined, { at: EARLIER }), cond('Ready', 'True', undefined, undefined, { at: EARLIER })],
    },
    {
      name: 'propagate: no source -> Unknown with the fallback',
      steps: [(c) => c.propagate('A', undefined, 'Fallback', 'no source')],
      want: [cond('A', 'Unknown', 'Fallback', 'no source'), cond('Ready', 'Unknown', 'Fallback', 'no source')],
    },
    {
      name: 'propagate: True',
      steps: [(c) => c.propagate('A', cond('Ready', 'True', 'Ignored', 'ignored'), 'F', 'f'), (c) => c.propagate('B', cond('Ready', 'True'), 'F', 'f')],
      want: [cond('A', 'True'), cond('B', 'True'), cond('Ready', 'True')],
    },
    {
      name: 'propagate: False keeps the source\'s reason and message',
      steps: [(c) => c.propagate('A', cond('Ready', 'False', 'Why', 'because'), 'F', 'f')],
      want: [cond('A', 'False', 'Why', 'because'), cond('Ready', 'False', 'Why', 'because')],
    },
    {
      name: 'propagate: False without reason uses the fallback',
      steps: [(c) => c.propagate('A', { type: 'Ready', status: 'False' }, 'F', 'f')],
      want: [cond('A', 'False', 'F', 'f'), cond('Ready', 'False', 'F', 'f')],
    },
    {
      name: 'propagate: Unknown keeps the source\'s reason',
      steps: [(c) => c.propagate('A', cond('Ready', 'Unknown', 'Deploying', 'd'), 'F', 'f')],
      want: [cond('A', 'Unknown', 'Deploying', 'd'), cond('Ready', 'Unknown', 'Deploying', 'd')],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const status: Status = c.before ? { conditions: structuredClone(c.before) } : {};
      const mgr = new ConditionManager(set, status, NOW);
      for (const step of c.steps) step(mgr);
      expect(status.conditions).to.deep.equal(c.want);
    });
  }

  it('transition times across reconciles: only what changed moves', () => {
    const status: Status = {};
    new ConditionManager(set, status, EARLIER).initialize().markTrue('A').markTrue('B');
    new ConditionManager(set, status, NOW).markTrue('A').markFalse('B', 'Bad', 'b');
    new ConditionManager(set, status, LATER).markTrue('A').markFalse('B', 'Worse', 'w');
    expect(status.conditions).to.deep.equal([
      cond('A', 'True', undefined, undefined, { at: EARLIER }),
      cond('B', 'False', 'Worse', 'w', { at: NOW }),
      cond('Ready', 'False', 'Worse', 'w', { at: NOW }),
    ]);
  });

  it('isHappy, get, findCondition, conditionStatus', () => {
    const status: Status = {};
    const mgr = new ConditionManager(set, status, NOW).initialize();
    expect(mgr.isHappy()).to.equal(false);
    mgr.markTrue('A').markTrue('B');
    expect(mgr.isHappy()).to.equal(true);
    expect(mgr.get('A')).to.deep.equal(cond('A', 'True'));
    expect(mgr.get('Nope')).to.equal(undefined);
    expect(findCondition(status, 'B')).to.deep.equal(cond('B', 'True'));
    expect([conditionStatus(status, 'Ready'), conditionStatus(undefined, 'Ready'), conditionStatus({}, 'Ready')]).to.deep.equal(['True', undefined, undefined]);
  });

  it('a happy-only set (Configuration\'s) has nothing to recompute', () => {
    const status: Status = {};
    const mgr = new ConditionManager(conditionSet('Ready'), status, NOW).initialize();
    mgr.markTrue('Ready');
    expect(status.conditions).to.deep.equal([cond('Ready', 'True')]);
  });

  it('conditionSet is frozen', () => {
    expect(Object.isFrozen(set) && Object.isFrozen(set.dependents)).to.equal(true);
    expect(set).to.deep.equal({ happy: 'Ready', dependents: ['A', 'B'] });
  });
});
