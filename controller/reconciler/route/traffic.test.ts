import { expect } from 'chai';
import type { Configuration, Revision, Route, TrafficTarget } from '../../../api/serving/v1/types.js';
import {
  configuration, revision, route, withLatestReady, withReadyCondition, withStatusTraffic, withTraffic,
} from '../../../testing/builders.js';
import { referencedNames, resolveTraffic, type TrafficResult } from './traffic.js';

const configs: Configuration[] = [
  configuration('ready', withLatestReady('ready-00002'), withReadyCondition('True')),
  // A new revision failed, the last ready one still serves.
  configuration('newfailed', withLatestReady('newfailed-00001'), withReadyCondition('False', 'RevisionFailed', 'x')),
  configuration('waiting', withReadyCondition('Unknown')),
  configuration('nostatus'),
  configuration('failed', withReadyCondition('False', 'RevisionFailed', 'x')),
];
const revisions: Revision[] = [
  revision('ready-00001', withReadyCondition('True')),
  revision('ready-00002', withReadyCondition('True')),
  revision('pending-00001', withReadyCondition('Unknown')),
  revision('nocond-00001'),
  revision('failed-00001', withReadyCondition('False', 'ContainerMissing', 'x')),
];
const lookup = {
  configuration: (name: string) => configs.find((c) => c.metadata.name === name),
  revision: (name: string) => revisions.find((r) => r.metadata.name === name),
};

const ok = (...targets: TrafficTarget[]): TrafficResult => ({ ok: true, targets });
const err = (kind: Extract<TrafficResult, { ok: false }>['error']['kind'], name: string): TrafficResult => ({ ok: false, error: { kind, name } });

describe('route/traffic resolveTraffic', () => {
  const cases: Array<{ name: string; traffic: TrafficTarget[] | undefined; want: TrafficResult }> = [
    { name: 'no traffic: nothing to do', traffic: undefined, want: ok() },
    {
      name: 'configuration target -> its latest ready revision, latestRevision true',
      traffic: [{ configurationName: 'ready', latestRevision: true, percent: 100 }],
      want: ok({ revisionName: 'ready-00002', latestRevision: true, percent: 100 }),
    },
    {
      name: 'revision target -> itself, latestRevision false',
      traffic: [{ revisionName: 'ready-00001', latestRevision: false, percent: 100 }],
      want: ok({ revisionName: 'ready-00001', latestRevision: false, percent: 100 }),
    },
    {
      name: 'split with tags and percents, in order',
      traffic: [
        { tag: 'current', configurationName: 'ready', latestRevision: true, percent: 90 },
        { tag: 'old', revisionName: 'ready-00001', latestRevision: false, percent: 10 },
        { tag: 'zero', revisionName: 'ready-00002', latestRevision: false, percent: 0 },
      ],
      want: ok(
        { tag: 'current', revisionName: 'ready-00002', latestRevision: true, percent: 90 },
        { tag: 'old', revisionName: 'ready-00001', latestRevision: false, percent: 10 },
        { tag: 'zero', revisionName: 'ready-00002', latestRevision: false, percent: 0 },
      ),
    },
    { name: 'percent left out is 0', traffic: [{ revisionName: 'ready-00001' }], want: ok({ revisionName: 'ready-00001', latestRevision: false, percent: 0 }) },
    {
      name: 'a configuration whose new revision failed still routes to its latest ready one',
      traffic: [{ configurationName: 'newfailed', percent: 100 }],
      want: ok({ revisionName: 'newfailed-00001', latestRevision: true, percent: 100 }),
    },
    { name: 'ConfigurationMissing', traffic: [{ configurationName: 'nope', percent: 100 }], want: err('ConfigurationMissing', 'nope') },
    { name: 'RevisionMissing', traffic: [{ revisionName: 'nope-00001', percent: 100 }], want: err('RevisionMissing', 'nope-00001') },
    { name: 'ConfigurationNotReady (Ready Unknown)', traffic: [{ configurationName: 'waiting', percent: 100 }], want: err('ConfigurationNotReady', 'waiting') },
    { name: 'ConfigurationNotReady (no status)', traffic: [{ configurationName: 'nostatus', percent: 100 }], want: err('ConfigurationNotReady', 'nostatus') },
    { name: 'ConfigurationFailed (Ready False, nothing ready)', traffic: [{ configurationName: 'failed', percent: 100 }], want: err('ConfigurationFailed', 'failed') },
    { name: 'RevisionNotReady (Ready Unknown)', traffic: [{ revisionName: 'pending-00001', percent: 100 }], want: err('RevisionNotReady', 'pending-00001') },
    { name: 'RevisionNotReady (no conditions)', traffic: [{ revisionName: 'nocond-00001', percent: 100 }], want: err('RevisionNotReady', 'nocond-00001') },
    { name: 'RevisionFailed', traffic: [{ revisionName: 'failed-00001', percent: 100 }], want: err('RevisionFailed', 'failed-00001') },
    {
      name: 'severity: missing beats failed beats not ready, whatever the order',
      traffic: [
        { revisionName: 'pending-00001', percent: 25 }, { revisionName: 'failed-00001', percent: 25 },
        { configurationName: 'nope', percent: 25 }, { configurationName: 'ready', percent: 25 },
      ],
      want: err('ConfigurationMissing', 'nope'),
    },
    {
      name: 'severity: failed beats not ready',
      traffic: [{ configurationName: 'waiting', percent: 50 }, { configurationName: 'failed', percent: 50 }],
      want: err('ConfigurationFailed', 'failed'),
    },
    {
      name: 'severity ties: the first target wins',
      traffic: [{ revisionName: 'gone-1', percent: 50 }, { configurationName: 'gone-2', percent: 50 }],
      want: err('RevisionMissing', 'gone-1'),
    },
    {
      name: 'severity ties among not-ready: the first target wins',
      traffic: [{ configurationName: 'waiting', percent: 50 }, { revisionName: 'pending-00001', percent: 50 }],
      want: err('ConfigurationNotReady', 'waiting'),
    },
    {
      name: 'one failing target fails the whole route (no partial traffic)',
      traffic: [{ configurationName: 'ready', percent: 50 }, { revisionName: 'pending-00001', percent: 50 }],
      want: err('RevisionNotReady', 'pending-00001'),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r: Route = c.traffic ? route('foo', withTraffic(...c.traffic)) : route('foo');
      expect(resolveTraffic(r, lookup)).to.deep.equal(c.want);
    });
  }

  it('referencedNames: from spec and status', () => {
    const r = route('foo',
      withTraffic({ configurationName: 'cfg', percent: 50 }, { revisionName: 'rev-a', percent: 50 }),
      withStatusTraffic({ revisionName: 'cfg-00003', latestRevision: true, percent: 50 }, { revisionName: 'rev-a', percent: 50 }));
    const got = referencedNames(r);
    expect({ configurations: [...got.configurations], revisions: [...got.revisions].sort() }).to.deep.equal({ configurations: ['cfg'], revisions: ['cfg-00003', 'rev-a'] });
  });
});
