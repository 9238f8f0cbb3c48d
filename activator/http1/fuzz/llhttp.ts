import { createRequire } from 'node:module';

// llhttp, Node's own HTTP/1.1 parser, called directly and synchronously through the binding Node's http
// module uses (lib/_http_common.js): the reference the differential fuzz test holds kzero to.

/** One message as llhttp read it. */
export interface LlMessage {
  /** Request method, or undefined for a response. */
  method: string | undefined;
  url: string;
  status: number;
  reason: string;
  minor: number;
  /** [name, value, ...] as llhttp reports them (names as sent, values without OWS). */
  headers: string[];
  /** The body, decoded if chunked. */
  body: Buffer;
  trailers: string[];
  upgrade: boolean;
  /** llhttp called on_message_complete for it. */
  ended: boolean;
}

export interface LlResult {
  messages: LlMessage[];
  /** llhttp's error code (HPE_...) if it refused the bytes. */
  error: string | undefined;
  /** For each of `cuts`: how many messages llhttp had completed with the bytes before it. */
  completedAt: number[];
}

export interface LlOptions {
  /** llhttp lenient flags (kLenient* of HTTPParser); 0, strict, is Node's default. */
  lenient?: number;
  /** For responses: the request's method, so that a response to HEAD has no body (as Node's client says). */
  method?: string;
  /** The bytes are all there is: the sender closed (ends a response framed by close). */
  eof?: boolean;
  /** Offsets, ascending, where the bytes are split between execute calls, to see where messages end. */
  cuts?: number[];
}

type HeadersComplete = (major: number, minor: number, headers: string[] | undefined, method: number | undefined, url: string | undefined, status: number | undefined, reason: string | undefined, upgrade: boolean) => number;

interface Parser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  finish(): number | Error | undefined;
  [callback: number]: unknown;
}

interface ParserClass {
  new (): Parser;
  REQUEST: number;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kLenientChunkedLength: number;
  kLenientSpacesAfterChunkSize: number;
}

interface HttpCommon {
  HTTPParser: ParserClass;
  methods: string[];
}

function load(): HttpCommon {
  const mod: unknown = createRequire(import.meta.url)('_http_common');
  if (typeof mod !== 'object' || mod === null || !('HTTPParser' in mod) || !('methods' in mod)) throw new Error('node:_http_common has no HTTPParser: this Node cannot run the llhttp fuzz test');
  const { HTTPParser, methods } = mod as { HTTPParser: unknown; methods: unknown };
  if (typeof HTTPParser !== 'function' || !Array.isArray(methods)) throw new Error('node:_http_common.HTTPParser is not the parser binding this test knows');
  return { HTTPParser: HTTPParser as ParserClass, methods: methods.map(String) };
}

const { HTTPParser, methods } = load();

/** The methods llhttp knows; it refuses any other. */
export const LLHTTP_METHODS: ReadonlySet<string> = new Set(methods);

/** Head sizes are a policy, not framing: llhttp's limit is set out of the way. */
const NO_HEAD_LIMIT = 1 << 24;

/** One parser per kind, initialized again for each parse (as Node's own parser pool does): creating one costs more than a parse. */
const parsers = { request: new HTTPParser(), response: new HTTPParser() };
const resource = {};

/** Parses `data` as requests or responses: one execute call, or one per piece between `opts.cuts`. */
export function llhttp(kind: 'request' | 'response', data: Buffer, opts: LlOptions = {}): LlResult {
  const p = parsers[kind];
  p.initialize(kind === 'request' ? HTTPParser.REQUEST : HTTPParser.RESPONSE, resource, NO_HEAD_LIMIT, opts.lenient ?? 0);
  const messages: LlMessage[] = [];
  let current: LlMessage | undefined;
  let pendingHeaders: string[] = [];
  let pendingUrl = '';
  let bodyParts: Buffer[] = [];
  p[HTTPParser.kOnHeaders] = (headers: string[], url: string): void => {
    if (current) current.trailers.push(...headers);
    else {
      pendingHeaders.push(...headers);
      pendingUrl += url;
    }
  };
  const onHeadersComplete: HeadersComplete = (_major, minor, headers, method, url, status, reason, upgrade) => {
    current = {
      method: method === undefined ? undefined : methods[method],
      url: headers === undefined ? pendingUrl : url ?? '',
      status: status ?? 0,
      reason: reason ?? '',
      minor,
      headers: headers ?? pendingHeaders,
      body: Buffer.alloc(0),
      trailers: [],
      upgrade,
      ended: false,
    };
    messages.push(current);
    pendingHeaders = [];
    pendingUrl = '';
    // Node's client: no body for a response to HEAD, nor for an interim response.
    return kind === 'response' && (opts.method === 'HEAD' || (current.status >= 100 && current.status < 200)) ? 1 : 0;
  };
  p[HTTPParser.kOnHeadersComplete] = onHeadersComplete;
  p[HTTPParser.kOnBody] = (b: Buffer): void => {
    bodyParts.push(Buffer.from(b));
  };
  p[HTTPParser.kOnMessageComplete] = (): void => {
    if (!current) return;
    current.body = Buffer.concat(bodyParts);
    current.ended = true;
    bodyParts = [];
    current = undefined;
  };
  let error: string | undefined;
  const completedAt: number[] = [];
  const done = (): number => messages.filter((m) => m.ended).length;
  let from = 0;
  /** llhttp stopped at an upgrade: the rest is another protocol. */
  let upgraded = false;
  for (const cut of [...(opts.cuts ?? []), data.length]) {
    if (!error && !upgraded && cut > from) {
      const got = p.execute(data.subarray(from, cut));
      if (got instanceof Error) error = errorCode(got);
      else upgraded = got < cut - from;
      from = cut;
    }
    completedAt.push(done());
  }
  completedAt.pop();
  if (!error && !upgraded && opts.eof) {
    const fin = p.finish();
    if (fin instanceof Error) error = errorCode(fin);
  }
  if (current && !current.ended) current.body = Buffer.concat(bodyParts);
  return { messages, error, completedAt };
}

function errorCode(e: Error): string {
  const code: unknown = 'code' in e ? e.code : undefined;
  return typeof code === 'string' ? code : e.message;
}


/** llhttp's lenient flags this test uses: Content-Length beside Transfer-Encoding, BWS after a chunk size. */
export const LENIENT_CHUNKED_LENGTH = HTTPParser.kLenientChunkedLength;
export const LENIENT_SPACES_AFTER_CHUNK_SIZE = HTTPParser.kLenientSpacesAfterChunkSize;
