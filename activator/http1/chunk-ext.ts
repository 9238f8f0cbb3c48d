import { TCHAR } from './fields.js';

// Chunk extensions (RFC 9112 7.1.1), one byte at a time (pure). The bytes go to the pod as they came,
// so they must read one way to any parser: `;`-led name[=token|quoted-string] pairs, nothing else.
//   chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
// BWS is accepted only between the size and the first `;` (`1 ;a=b`); llhttp, Node's parser and so
// most pods' too, refuses it everywhere in strict mode, so we take no more of it than that.

export const enum Ext {
  /** After the size: SP/HTAB, then `;` or the CR. */
  SizeEnd,
  /** After SP/HTAB that followed the size: only more of it, or `;`. */
  Bws,
  NameStart,
  Name,
  ValueStart,
  Token,
  Quoted,
  QuotedPair,
  AfterQuoted,
  /** The CR that ends the line. */
  Cr,
  Bad,
}

const SP = 0x20;
const HTAB = 0x09;
const CR = 0x0d;
const SEMI = 0x3b;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

/** qdtext: HTAB, SP, visible ASCII but `"` and `\`, obs-text. */
const qdtext = (c: number): boolean => c === HTAB || c === SP || c === 0x21 || (c >= 0x23 && c <= 0x7e && c !== BACKSLASH) || c >= 0x80;
/** What may follow `\` in a quoted string. */
const quotable = (c: number): boolean => c === HTAB || (c >= SP && c <= 0x7e) || c >= 0x80;

/** The state after byte `c` in state `s`: `Cr` when the line ends, `Bad` when it cannot be an extension. */
export function extStep(s: Ext, c: number): Ext {
  switch (s) {
    case Ext.SizeEnd:
    case Ext.Bws:
      if (c === SP || c === HTAB) return Ext.Bws;
      if (c === SEMI) return Ext.NameStart;
      return c === CR && s === Ext.SizeEnd ? Ext.Cr : Ext.Bad;
    case Ext.NameStart:
      return TCHAR[c] ? Ext.Name : Ext.Bad;
    case Ext.Name:
      if (TCHAR[c]) return Ext.Name;
      if (c === 0x3d /* = */) return Ext.ValueStart;
      return c === SEMI ? Ext.NameStart : c === CR ? Ext.Cr : Ext.Bad;
    case Ext.ValueStart:
      if (TCHAR[c]) return Ext.Token;
      return c === DQUOTE ? Ext.Quoted : Ext.Bad;
    case Ext.Token:
      if (TCHAR[c]) return Ext.Token;
      return c === SEMI ? Ext.NameStart : c === CR ? Ext.Cr : Ext.Bad;
    case Ext.Quoted:
      if (c === DQUOTE) return Ext.AfterQuoted;
      if (c === BACKSLASH) return Ext.QuotedPair;
      return qdtext(c) ? Ext.Quoted : Ext.Bad;
    case Ext.QuotedPair:
      return quotable(c) ? Ext.Quoted : Ext.Bad;
    case Ext.AfterQuoted:
      return c === SEMI ? Ext.NameStart : c === CR ? Ext.Cr : Ext.Bad;
    default:
      return Ext.Bad;
  }
}
