import { expect } from 'chai';
import { route, withNamespace, withStatusTraffic, withTraffic } from '../../../testing/builders.js';
import { RouteReferences } from './references.js';

const keys = (set: ReadonlySet<string>): string[] => [...set].sort();

describe('route/RouteReferences', () => {
  it('finds Routes by the Configurations and Revisions their spec traffic names', () => {
    const refs = new RouteReferences();
    refs.set(route('a', withTraffic({ configurationName: 'cfg', percent: 50 }, { revisionName: 'cfg-00001', percent: 50 })));
    refs.set(route('b', withTraffic({ configurationName: 'cfg', percent: 100 })));
    expect(keys(refs.routes('default', 'configuration', 'cfg'))).to.deep.equal(['default/a', 'default/b']);
    expect(keys(refs.routes('default', 'revision', 'cfg-00001'))).to.deep.equal(['default/a']);
    expect(keys(refs.routes('default', 'revision', 'cfg'))).to.deep.equal([], 'kinds are apart');
    expect(keys(refs.routes('other', 'configuration', 'cfg'))).to.deep.equal([], 'namespaces are apart');
  });

  it('a Revision still serving in status traffic is referenced until the status drops it', () => {
    const refs = new RouteReferences();
    const r = route('a', withTraffic({ configurationName: 'cfg', percent: 100 }), withStatusTraffic({ revisionName: 'cfg-00001', percent: 100 }));
    refs.set(r);
    expect(keys(refs.routes('default', 'revision', 'cfg-00001'))).to.deep.equal(['default/a']);
    refs.set(route('a', withTraffic({ configurationName: 'cfg', percent: 100 }), withStatusTraffic({ revisionName: 'cfg-00002', percent: 100 })));
    expect(keys(refs.routes('default', 'revision', 'cfg-00001'))).to.deep.equal([]);
    expect(keys(refs.routes('default', 'revision', 'cfg-00002'))).to.deep.equal(['default/a']);
  });

  it('an update replaces the Route\'s references; a delete removes them', () => {
    const refs = new RouteReferences();
    refs.set(route('a', withNamespace('ns'), withTraffic({ configurationName: 'one', percent: 100 })));
    refs.set(route('a', withNamespace('ns'), withTraffic({ configurationName: 'two', percent: 100 })));
    expect(keys(refs.routes('ns', 'configuration', 'one'))).to.deep.equal([]);
    expect(keys(refs.routes('ns', 'configuration', 'two'))).to.deep.equal(['ns/a']);
    refs.delete(route('a', withNamespace('ns')));
    expect(keys(refs.routes('ns', 'configuration', 'two'))).to.deep.equal([]);
  });
});
