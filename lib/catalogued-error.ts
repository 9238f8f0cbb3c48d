// An error from a component's catalogue: a stable code and the HTTP status it maps to (activator, runtime).

export type ErrorCatalogue = Readonly<Record<string, { readonly status: number; readonly code: string }>>;

export class CataloguedError<K extends string> extends Error {
  readonly status: number;
  readonly code: string;
  constructor(catalogue: ErrorCatalogue, readonly kind: K, message: string) {
    super(message);
    this.name = new.target.name;
    this.status = catalogue[kind]!.status;
    this.code = catalogue[kind]!.code;
  }
}
