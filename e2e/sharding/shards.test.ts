import { expect } from 'chai';
import { KzeroLabels, ServingLabels } from '../../api/serving/labels.js';
import { kubectl, testNamespace, waitForValue } from '../support/cluster.js';
import { ShardController } from '../support/controllers.js';
import { serving, readyStatus, shardedService } from '../support/serving.js';

// Two shards, and two active-active replicas of one of them: each Service is reconciled by its own shard
// only, and killing a replica mid-way loses nothing.

describe('sharding: two shards, two replicas of one', function () {
  const controllers: ShardController[] = [];
  let a: { name: string; cleanup: () => Promise<void> };
  let b: { name: string; cleanup: () => Promise<void> };
  const perShard = 5;

  before(async () => {
    [a, b] = await Promise.all([testNamespace('e2e-shard-a'), testNamespace('e2e-shard-b')]);
    controllers.push(new ShardController('e2e-a'), new ShardController('e2e-a'), new ShardController('e2e-b'));
  });
  after(async () => {
    await Promise.all(controllers.map((c) => c.kill('SIGTERM')));
    await Promise.all([a?.cleanup(), b?.cleanup()]);
  });

  it('the webhook takes a Service\'s shard from its namespace label', async () => {
    await kubectl(['label', 'namespace', a.name, `${KzeroLabels.shard}=e2e-a`]);
    const shard = await waitForValue('the namespace label to reach the webhook', async () => {
      const out = await kubectl(['apply', '--dry-run=server', '-o', 'jsonpath={.metadata.labels.kzero\\.dev/shard}', '-f', '-'], shardedService(a.name, 'probe', '').replace(/  labels: .*\n/, ''));
      return out === 'e2e-a' ? out : undefined;
    }, 30_000, 250);
    expect(shard).to.equal('e2e-a');
  });

  it('reconciles every Service in its own shard, with a replica killed mid-way', async () => {
    const names = Array.from({ length: perShard }, (_, i) => `svc-${i}`);
    await Promise.all(names.map((n) => kubectl(['apply', '-f', '-'], shardedService(a.name, n, 'e2e-a'))));
    await controllers[0]!.kill('SIGKILL');
    await Promise.all(names.map((n) => kubectl(['apply', '-f', '-'], shardedService(b.name, n, 'e2e-b'))));
    for (const [ns, shard] of [[a.name, 'e2e-a'], [b.name, 'e2e-b']] as const) {
      await waitForValue(`all Services in ${ns} Ready`, async () => {
        const list = await serving.service.list(ns);
        return list.items.length === perShard && list.items.every((s) => readyStatus(s) === 'True' && s.status?.observedGeneration === s.metadata.generation) ? true : undefined;
      }, 120_000, 250);
      // Exactly one of each child: replicas racing to create them never duplicated one.
      const revs = await serving.revision.list(ns);
      expect(revs.items.map((r) => r.metadata.name).sort()).to.deep.equal(names.map((n) => `${n}-00001`).sort());
      for (const r of revs.items) expect(r.metadata.labels?.[KzeroLabels.shard]).to.equal(shard);
      const deployments = (await kubectl(['get', 'deployments', '-n', ns, '-o', 'name'])).trim().split('\n');
      expect(deployments).to.have.length(perShard);
    }
  });

  it('only the shard\'s own controllers acted on its objects (event sources)', async () => {
    for (const [ns, shard] of [[a.name, 'e2e-a'], [b.name, 'e2e-b']] as const) {
      const events = JSON.parse(await kubectl(['get', 'events', '-n', ns, '-o', 'json'])) as { items: Array<{ source?: { component?: string }; reason?: string }> };
      const fromControllers = events.items.map((e) => e.source?.component ?? '').filter((c) => c.startsWith('kzero-controller'));
      expect(fromControllers.length, `controller events in ${ns}`).to.be.greaterThan(0);
      expect([...new Set(fromControllers)]).to.deep.equal([`kzero-controller-${shard}`]);
    }
    expect(controllers[1]!.running).to.equal(true);
  });

  it('child objects carry the shard label down to the pods', async () => {
    const pods = JSON.parse(await kubectl(['get', 'pods', '-n', b.name, '-l', `${ServingLabels.service}=svc-0`, '-o', 'json'])) as { items: Array<{ metadata: { labels: Record<string, string> } }> };
    expect(pods.items.length).to.be.greaterThan(0);
    for (const p of pods.items) expect(p.metadata.labels[KzeroLabels.shard]).to.equal('e2e-b');
  });
});
