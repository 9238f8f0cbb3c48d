import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { kubectl, testNamespace, waitForValue } from '../support/cluster.js';
import { ShardController } from '../support/controllers.js';
import { serving, readyStatus, shardedService } from '../support/serving.js';

// Deleting a namespace deletes its Services' children one kind at a time, in no order kzero controls. The
// controller must let the namespace take them: recreating what is being removed is refused (403, the
// namespace is terminating), and a controller that retried, warned and wrote a Warning event for each made
// a namespace of 400 Services cost 14,400 warnings and most of a core for a minute.

describe('serving: deleting a namespace that holds Services', function () {
  const shard = `e2e-nsdel-${randomBytes(3).toString('hex')}`;
  let ctl: ShardController;

  before(async () => {
    ctl = new ShardController(shard);
    await ctl.ready();
  });
  after(async () => ctl?.kill('SIGTERM'));

  it('goes through without the controller retrying, warning or failing on what the namespace takes', async () => {
    const ns = await testNamespace('e2e-nsdel');
    const names = ['one', 'two', 'three'];
    await Promise.all(names.map((n) => kubectl(['apply', '-f', '-'], shardedService(ns.name, n, shard))));
    await waitForValue('3 Services Ready', async () => {
      const list = await serving.service.list(ns.name);
      return list.items.length === 3 && list.items.every((s) => readyStatus(s) === 'True') ? true : undefined;
    }, 90_000, 250);
    const before = ctl.output.length;
    await kubectl(['delete', 'namespace', ns.name, '--wait=true', '--timeout=120s']);
    // Let the last deletion events reach the controller.
    await new Promise((r) => setTimeout(r, 1000));
    const lines = ctl.output.slice(before).split('\n').filter((l) => l.includes(ns.name));
    const complaints = lines.filter((l) => /"level":"(warn|error)"/.test(l));
    expect(complaints, complaints.slice(0, 3).join('\n')).to.deep.equal([]);
    expect(ctl.running).to.equal(true);
  });
});
