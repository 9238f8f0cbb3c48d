import { expect } from 'chai';
import {
  CURRENT_FIELD,
  FieldError,
  also,
  errDisallowedFields,
  errDisallowedUpdateDeprecatedFields,
  errGeneric,
  errInvalidArrayValue,
  errInvalidKeyName,
  errInvalidValue,
  errMissingField,
  errMissingOneOf,
  errMultipleOneOf,
  errOutOfBoundsValue,
  errorString,
  viaField,
  viaIndex,
} from './field-error.js';

describe('FieldError', () => {
  const cases: Array<{ name: string; err: FieldError | undefined; want: string }> = [
    { name: 'invalid value, nested through an index', err: errInvalidValue(120, 'percent').viaIndex(0).viaField('traffic').viaField('spec'), want: 'invalid value: 120: spec.traffic[0].percent' },
    {
      name: 'out of bounds, nested through a dotted prefix',
      err: errOutOfBoundsValue(120, 0, 100, 'containerConcurrency').viaField('spec.template.spec'),
      want: 'expected 0 <= 120 <= 100: spec.template.spec.containerConcurrency',
    },
    { name: 'missing field', err: errMissingField('a', 'b'), want: 'missing field(s): a, b' },
    { name: 'disallowed fields', err: errDisallowedFields('url'), want: 'must not set the field(s): url' },
    { name: 'deprecated fields', err: errDisallowedUpdateDeprecatedFields('x'), want: 'must not update deprecated field(s): x' },
    { name: 'missing one of', err: errMissingOneOf('revisionName', 'configurationName'), want: 'expected exactly one, got neither: configurationName, revisionName' },
    { name: 'multiple one of', err: errMultipleOneOf('revisionName', 'configurationName'), want: 'expected exactly one, got both: configurationName, revisionName' },
    { name: 'invalid key name with details', err: errInvalidKeyName('a/b/c', 'revisionName', 'one', 'two'), want: 'invalid key name "a/b/c": revisionName\none, two' },
    { name: 'invalid value with details', err: errInvalidValue('x', 'image', 'bad'), want: 'invalid value: x: image\nbad' },
    { name: 'invalid array value', err: errInvalidArrayValue('v', 'tag', 2).viaField('traffic'), want: 'invalid value: v: traffic.tag[2]' },
    { name: 'current field takes the prefix', err: errGeneric('Traffic targets sum to 95, want 100', CURRENT_FIELD).viaField('traffic').viaField('spec'), want: 'Traffic targets sum to 95, want 100: spec.traffic' },
    { name: 'indexes stack innermost last', err: errMissingField('bar').viaIndex(0).viaIndex(1).viaField('foo'), want: 'missing field(s): foo[1][0].bar' },
    { name: 'keys', err: errMissingField('x').viaKey('k').viaField('labels'), want: 'missing field(s): labels[k].x' },
    { name: 'same message merges paths, sorted', err: errMissingField('b').also(errMissingField('a'), errMissingField('b')), want: 'missing field(s): a, b' },
    {
      name: 'several messages, one a line, sorted by message',
      err: also(errMissingField('z'), errGeneric('b message', 'p'), errGeneric('a message', 'q')),
      want: 'a message: q\nb message: p\nmissing field(s): z',
    },
    { name: 'nested errors keep being nested', err: also(errMissingField('x'), errMissingField('y').viaField('inner'))?.viaField('outer'), want: 'missing field(s): outer.inner.y, outer.x' },
    { name: 'no error', err: also(undefined, undefined), want: '' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(errorString(c.err)).to.equal(c.want);
      if (c.err) expect(c.err.toString()).to.equal(c.want);
    });
  }

  it('also() of nothing is undefined; of one error is that error', () => {
    expect(also()).to.equal(undefined);
    const e = errMissingField('a');
    expect(also(undefined, e, undefined)).to.equal(e);
    expect(e.also(undefined)).to.equal(e);
  });

  it('viaField/viaIndex pass undefined through', () => {
    expect(viaField(undefined, 'spec')).to.equal(undefined);
    expect(viaIndex(undefined, 0)).to.equal(undefined);
    expect(viaField(errMissingField('a'), 'spec')?.toString()).to.equal('missing field(s): spec.a');
  });

  it('is immutable: nesting returns a new value', () => {
    const e = errMissingField('a');
    const n = e.viaField('spec');
    expect(e.toString()).to.equal('missing field(s): a');
    expect(n.toString()).to.equal('missing field(s): spec.a');
    expect(Object.isFrozen(e)).to.equal(true);
  });

  it('levels: at() and filter()', () => {
    const w = errGeneric('careful', 'x').at('Warning');
    const all = also(errMissingField('a'), w);
    expect(all?.filter('Warning')?.toString()).to.equal('careful: x');
    expect(all?.filter('Error')?.toString()).to.equal('missing field(s): a');
    expect(errMissingField('a').filter('Warning')).to.equal(undefined);
  });

  it('the same message at two levels stays two diagnostics', () => {
    const e = also(errGeneric('m', 'a'), errGeneric('m', 'b').at('Warning'));
    expect(e?.wrappedErrors().map((d) => [d.level, d.paths.join(',')])).to.deep.equal([
      ['Error', 'a'],
      ['Warning', 'b'],
    ]);
  });

  it('toJSON lists the merged diagnostics', () => {
    const e = also(errMissingField('b'), errMissingField('a'), errInvalidValue(3, 'c', 'why'));
    expect(JSON.parse(JSON.stringify(e))).to.deep.equal([
      { message: 'invalid value: 3', paths: ['c'], details: 'why', level: 'Error' },
      { message: 'missing field(s)', paths: ['a', 'b'], details: '', level: 'Error' },
    ]);
  });
});
