import type { Configuration, Revision } from '../../../api/serving/v1/types.js';
import { KubeApiError } from '../../../lib/kube/rest.js';
import {
  child, cond, configuration, withGeneration, withImage, withLatestCreated, withLatestReady, withObservedGeneration, withOwner,
  withReadyCondition, withTemplateName, withUID, type Opt,
} from '../../../testing/builders.js';
import { runRow, tableTest, type TableRow, type TableSubject } from '../../../testing/table.js';
import { makeRevision } from './resources.js';
import { ConfigurationReconciler } from './reconciler.js';

const subject: TableSubject<Configuration> = {
  resource: (c) => c.configurations,
  reconciler: (c) => new ConfigurationReconciler({ revisions: { lister: c.revisions.lister, client: c.revisions.asClient() }, events: c.events }),
};

const cfg = (...opts: Array<Opt<Configuration>>): Configuration => configuration('foo', withImage('img:v1'), ...opts);
/** Generation 2 of foo (img:v2), whose status still says foo-00001 is latest created and ready. */
const cfg2 = (...opts: Array<Opt<Configuration>>): Configuration => cfg(withGeneration(2), withImage('img:v2'),
  withObservedGeneration(1), withLatestCreated('foo-00001'), withLatestReady('foo-00001'), withReadyCondition('True'), ...opts);

/** The Revision `of` makes, as stored: Ready, unless opts say otherwise. */
const rev = (of: Configuration, ...opts: Array<Opt<Revision>>): Revision => child(makeRevision(of), ...opts);
const ready: Opt<Revision> = (r) => {
  withObservedGeneration()(r);
  withReadyCondition('True')(r);
};

const BYO_MISMATCH = 'Revision creation failed with message: Saw the following changes without a name change: the template of revision "foo-byo" '
  + 'differs from spec.template; give the new template a new name.';

describe('configuration/reconciler ConfigurationReconciler', () => {
  const rows: TableRow[] = [
    {
      name: 'new Configuration: creates foo-00001; latest created, Ready Unknown',
      objects: [cfg()],
      key: 'default/foo',
      wantCreates: [makeRevision(cfg())],
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 1, latestCreatedRevisionName: 'foo-00001', conditions: [cond('Ready', 'Unknown')] } }],
      wantEvents: ['Normal Created Created Revision "foo-00001"'],
    },
    {
      name: 'the revision exists and is not ready yet: nothing created',
      objects: [cfg(), rev(cfg())],
      key: 'default/foo',
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 1, latestCreatedRevisionName: 'foo-00001', conditions: [cond('Ready', 'Unknown')] } }],
    },
    {
      name: 'the created revision becomes Ready: latest ready, Ready True',
      objects: [cfg(withObservedGeneration(), withLatestCreated('foo-00001'), withReadyCondition('Unknown')), rev(cfg(), ready)],
      key: 'default/foo',
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 1, latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001', conditions: [cond('Ready', 'True')] } }],
    },
    {
      name: 'steady state: no API call',
      objects: [cfg(withObservedGeneration(), withLatestCreated('foo-00001'), withLatestReady('foo-00001'), withReadyCondition('True')), rev(cfg(), ready)],
      key: 'default/foo',
    },
    {
      name: 'AlreadyExists race: the revision is read back from the API and used',
      objects: [cfg(), rev(cfg(), ready)],
      key: 'default/foo',
      setup: (c) => c.revisions.hideFromLister('default', 'foo-00001'),
      wantCreates: [makeRevision(cfg())],
      wantGets: ['revisions/foo-00001'],
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 1, latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001', conditions: [cond('Ready', 'True')] } }],
    },
    {
      name: 'new generation: creates foo-00002; latest ready stays on foo-00001 until it is Ready',
      objects: [cfg2(), rev(cfg(), ready)],
      key: 'default/foo',
      wantCreates: [makeRevision(cfg2())],
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 2, latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00001', conditions: [cond('Ready', 'Unknown')] } }],
      wantEvents: ['Normal Created Created Revision "foo-00002"'],
    },
    {
      name: 'new generation, its revision not ready: latest ready does not move',
      objects: [cfg2(), rev(cfg(), ready), rev(cfg2(), withReadyCondition('Unknown', 'Deploying'))],
      key: 'default/foo',
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 2, latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00001', conditions: [cond('Ready', 'Unknown')] } }],
    },
    {
      name: 'new generation, its revision Ready: latest ready moves to it',
      objects: [cfg2(), rev(cfg(), ready), rev(cfg2(), ready)],
      key: 'default/foo',
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 2, latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00002', conditions: [cond('Ready', 'True')] } }],
    },
    {
      name: 'the created revision failed: Ready False RevisionFailed with its message; latest ready stays',
      objects: [cfg2(), rev(cfg(), ready), rev(cfg2(), withObservedGeneration(), withReadyCondition('False', 'ContainerMissing', 'Unable to fetch image "img:v2": not found'))],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 2, latestCreatedRevisionName: 'foo-00002', latestReadyRevisionName: 'foo-00001',
          conditions: [cond('Ready', 'False', 'RevisionFailed', 'Revision "foo-00002" failed with message: Unable to fetch image "img:v2": not found.')],
        },
      }],
    },
    {
      name: 'failed without a message: the reason is the message',
      objects: [cfg(), rev(cfg(), withObservedGeneration(), withReadyCondition('False', 'ExitCode1'))],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: { observedGeneration: 1, latestCreatedRevisionName: 'foo-00001', conditions: [cond('Ready', 'False', 'RevisionFailed', 'Revision "foo-00001" failed with message: ExitCode1.')] },
      }],
    },
    {
      name: 'a False Ready the revision reconciler has not confirmed (observedGeneration behind) is not a failure yet',
      objects: [cfg(), rev(cfg(), withReadyCondition('False', 'ExitCode1', 'stale'))],
      key: 'default/foo',
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 1, latestCreatedRevisionName: 'foo-00001', conditions: [cond('Ready', 'Unknown')] } }],
    },
    {
      name: 'the previous latest ready revision was deleted: latest ready is cleared',
      objects: [cfg2(), rev(cfg2())],
      key: 'default/foo',
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 2, latestCreatedRevisionName: 'foo-00002', conditions: [cond('Ready', 'Unknown')] } }],
    },
    {
      name: 'a revision of that name owned by something else: RevisionFailed, nothing created',
      objects: [cfg(), rev(cfg(), withOwner(configuration('foo', withUID('an-older-foo'))), ready)],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: {
          observedGeneration: 1,
          conditions: [cond('Ready', 'False', 'RevisionFailed', 'Revision creation failed with message: revision "foo-00001" already exists and is not owned by Configuration "foo".')],
        },
      }],
    },
    {
      name: 'BYO name: creates the revision with that name',
      objects: [cfg(withTemplateName('foo-byo'))],
      key: 'default/foo',
      wantCreates: [makeRevision(cfg(withTemplateName('foo-byo')))],
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 1, latestCreatedRevisionName: 'foo-byo', conditions: [cond('Ready', 'Unknown')] } }],
      wantEvents: ['Normal Created Created Revision "foo-byo"'],
    },
    {
      name: 'BYO name, same template: the existing revision is used',
      objects: [cfg(withGeneration(2), withTemplateName('foo-byo')), rev(cfg(withTemplateName('foo-byo')), ready)],
      key: 'default/foo',
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 2, latestCreatedRevisionName: 'foo-byo', latestReadyRevisionName: 'foo-byo', conditions: [cond('Ready', 'True')] } }],
    },
    {
      name: 'BYO name reused for a different template: Ready False, "Saw the following changes without a name change"',
      objects: [
        cfg(withGeneration(2), withTemplateName('foo-byo'), withImage('img:v2'), withObservedGeneration(1), withLatestCreated('foo-byo'), withLatestReady('foo-byo'), withReadyCondition('True')),
        rev(cfg(withTemplateName('foo-byo')), ready),
      ],
      key: 'default/foo',
      wantStatusUpdates: [{
        name: 'foo',
        status: { observedGeneration: 2, latestCreatedRevisionName: 'foo-byo', latestReadyRevisionName: 'foo-byo', conditions: [cond('Ready', 'False', 'RevisionFailed', BYO_MISMATCH)] },
      }],
    },
    {
      name: 'a generated name is not checked against the template (only BYO names are)',
      objects: [cfg(withImage('img:other')), rev(cfg(), ready)],
      key: 'default/foo',
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 1, latestCreatedRevisionName: 'foo-00001', latestReadyRevisionName: 'foo-00001', conditions: [cond('Ready', 'True')] } }],
    },
    {
      name: 'creating the revision fails: Warning event, retry, status still written',
      objects: [cfg()],
      key: 'default/foo',
      setup: (c) => c.revisions.failOn('create', new KubeApiError(403, 'Forbidden', 'exceeded quota: revisions')),
      wantCreates: [makeRevision(cfg())],
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 1, conditions: [cond('Ready', 'Unknown')] } }],
      wantEvents: ['Warning InternalError exceeded quota: revisions'],
      wantRetry: true,
    },
  ];
  tableTest(rows, subject);

  // A BYO-named Revision created for this generation is accepted even if the webhook defaulted it further.
  it('BYO name: the revision this generation created, defaulted by the webhook, is accepted', async () => {
    const byo = cfg(withGeneration(2), withTemplateName('foo-byo'));
    await runRow({
      name: 'byo defaulted',
      objects: [byo, rev(byo, ready, (r) => void (r.spec.enableServiceLinks = false))],
      key: 'default/foo',
      wantStatusUpdates: [{ name: 'foo', status: { observedGeneration: 2, latestCreatedRevisionName: 'foo-byo', latestReadyRevisionName: 'foo-byo', conditions: [cond('Ready', 'True')] } }],
    }, subject);
  });
});
