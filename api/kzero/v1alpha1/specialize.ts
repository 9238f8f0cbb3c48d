// The wire contract of a warm runtime's POST /specialize, declared once: the autoscaler's claimer sends it
// (autoscaler/pool/claimer.ts), the runtime parses and serves it (runtime/request.ts, runtime/server.ts).
// Each request is signed by the autoscaler and verified by the runtime: lib/specialize-signature.ts.

export interface CodeRef {
  readonly url: string;
  /** Lower-case hex. */
  readonly sha256: string;
}

export interface SpecializeRequest {
  /** "<namespace>/<name>" */
  readonly revision: string;
  readonly code: CodeRef;
  readonly env: Readonly<Record<string, string>>;
  /** Who is claiming (one id per claim attempt): a reservation is exclusive to it, even for the same revision. */
  readonly claim?: string;
}
