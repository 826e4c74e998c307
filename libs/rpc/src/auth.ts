import { createHash } from 'node:crypto';
import type { DescService } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type * as grpc from '@grpc/grpc-js';
import { GrpcStatus, ServiceError } from './errors.js';

/** What a bearer token allows; each scope includes the ones before it: read < write < admin. */
export type Scope = 'read' | 'write' | 'admin';

export const SCOPES: readonly Scope[] = ['read', 'write', 'admin'];

/** The scope each RPC of a service needs, keyed by the generated method name (e.g. `getVersion`). */
export type MethodScopes<S extends GenServiceMethods> = { readonly [K in keyof S]: Scope };

/** A service with the scope of each of its methods, keyed by the proto method name (e.g. "GetVersion"). */
export interface ServiceScopes {
  service: DescService;
  scopes: ReadonlyMap<string, Scope>;
}

/** Pairs a generated service with the scope table of its methods; the type requires every method. */
export function methodScopes<S extends GenServiceMethods>(service: GenService<S>, scopes: MethodScopes<S>): ServiceScopes {
  const byName = new Map<string, Scope>();
  for (const method of service.methods) {
    const scope = (scopes as Record<string, Scope | undefined>)[method.localName];
    if (scope) byName.set(method.name, scope);
  }
  return { service, scopes: byName };
}

/** Throws unless every method of every service in `services` has a scope in `tables`. */
export function checkScopeTables(services: readonly DescService[], tables: readonly ServiceScopes[]): void {
  const missing: string[] = [];
  for (const service of services) {
    const table = tables.find((candidate) => candidate.service.typeName === service.typeName);
    for (const method of service.methods) {
      if (!table?.scopes.has(method.name)) missing.push(`${service.typeName}/${method.name}`);
    }
  }
  if (missing.length > 0) {
    throw new Error(`no scope is declared for ${missing.join(', ')}: add each method to its service's scope table`);
  }
}

function digestOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Shortest token accepted in a tokens file; shorter ones are guessable. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * The bearer tokens a server accepts, with the scope of each. Only SHA-256 digests are kept, so
 * a lookup does not compare secret bytes one by one and a heap dump does not reveal the tokens.
 */
export class BearerTokens {
  private constructor(private readonly scopeByDigest: ReadonlyMap<string, Scope>) {}

  static readonly none = new BearerTokens(new Map());

  /**
   * Parses a tokens file: one `<scope> <token>` line each, scope read, write or admin. Blank
   * lines and lines starting with '#' are skipped. Errors name the source and line, never a token.
   */
  static parse(text: string, source: string): BearerTokens {
    const scopeByDigest = new Map<string, Scope>();
    const lines = text.split(/\r?\n/);
    for (const [index, raw] of lines.entries()) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;

      const where = `${source} line ${index + 1}`;
      const fields = line.split(/\s+/);
      if (fields.length !== 2) {
        throw new Error(`${where}: expected "<scope> <token>", got ${fields.length} fields`);
      }
      const [scope, token] = fields as [string, string];
      if (!SCOPES.includes(scope as Scope)) {
        throw new Error(`${where}: scope "${scope}" is invalid: use read, write or admin`);
      }
      if (token.length < MIN_TOKEN_LENGTH) {
        throw new Error(`${where}: the token has ${token.length} characters; use at least ${MIN_TOKEN_LENGTH}, e.g. from \`openssl rand -hex 32\``);
      }
      const digest = digestOf(token);
      const previous = scopeByDigest.get(digest);
      if (previous && previous !== scope) {
        throw new Error(`${where}: the token is listed before with scope ${previous}; give each token one scope`);
      }
      scopeByDigest.set(digest, scope as Scope);
    }
    return new BearerTokens(scopeByDigest);
  }

  /** Builds the table from scope → tokens, for tests and tools. */
  static of(entries: Partial<Record<Scope, string[]>>): BearerTokens {
    const lines = Object.entries(entries).flatMap(([scope, tokens]) => (tokens ?? []).map((token) => `${scope} ${token}`));
    return BearerTokens.parse(lines.join('\n'), 'token table');
  }

  /** Number of distinct tokens; 0 means the server runs without authentication. */
  get size(): number {
    return this.scopeByDigest.size;
  }

  scopeOf(token: string): Scope | undefined {
    return this.scopeByDigest.get(digestOf(token));
  }
}

function allows(granted: Scope, needed: Scope): boolean {
  return SCOPES.indexOf(granted) >= SCOPES.indexOf(needed);
}

/** Metadata carrying `token` as "authorization: Bearer <token>". */
export function bearerMetadata(token: string, metadata: grpc.Metadata): grpc.Metadata {
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

/**
 * Checks the call's bearer token against `needed`. A missing, malformed or unknown token gives
 * UNAUTHENTICATED, a token of a lower scope PERMISSION_DENIED; both messages name the method and
 * the scope it needs, and neither repeats the token.
 */
export function authorizeCall(tokens: BearerTokens, metadata: grpc.Metadata, method: string, needed: Scope): void {
  const values = metadata.get('authorization');
  if (values.length === 0) {
    throw new ServiceError(GrpcStatus.UNAUTHENTICATED, `${method} needs a bearer token with scope ${needed}: send the metadata "authorization: Bearer <token>"`);
  }
  const match = values.length === 1 ? /^bearer\s+(\S+)\s*$/i.exec(String(values[0])) : null;
  if (!match) {
    throw new ServiceError(GrpcStatus.UNAUTHENTICATED, `${method} needs a bearer token with scope ${needed}: the authorization metadata is not one "Bearer <token>" value`);
  }
  const granted = tokens.scopeOf(match[1]!);
  if (!granted) {
    throw new ServiceError(GrpcStatus.UNAUTHENTICATED, `${method} needs a bearer token with scope ${needed}: the token sent is not valid for this service`);
  }
  if (!allows(granted, needed)) {
    throw new ServiceError(GrpcStatus.PERMISSION_DENIED, `${method} needs scope ${needed}, but the token sent has scope ${granted}`);
  }
}
