import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { authorizeCall, checkScopeTables, type BearerTokens, type ServiceScopes } from './auth.js';
import { grpcHandlerFor, type ServiceRegistration, type SurfaceCall } from './handlers.js';
import type { RpcLogger } from './logger.js';
import { reflectionFor } from './reflection.js';
import { grpcServiceDefinition } from './service-definition.js';

export interface RpcServerOptions {
  /** Service name used in logs, e.g. "trainer". */
  name: string;
  services: ServiceRegistration[];
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** Listen port; 0 picks a free port (default 0). */
  port?: number;
  logger: RpcLogger;
  /** Largest request accepted, in bytes (default 4 MiB plus framing headroom: 4 MiB + 64 KiB). */
  maxReceiveMessageBytes?: number;
  /** Largest response sent, in bytes (default 16 MiB). */
  maxSendMessageBytes?: number;
  /** Calls one client connection may have open at once; later ones wait for a free slot (default 100). */
  maxConcurrentStreams?: number;
  /**
   * Bearer tokens and the scope each method needs. Without tokens, or with an empty table, every
   * caller may call every method. grpc.health.v1 and reflection never need a token.
   */
  auth?: { tokens: BearerTokens; scopes: readonly ServiceScopes[] };
  /** TLS or mutual TLS, from `serverCredentials` (default: plaintext). */
  credentials?: grpc.ServerCredentials;
  /** How long shutdown waits for running calls before cancelling them, in milliseconds (default 10 000). */
  shutdownGraceMs?: number;
  /** Called when a call ends, for metrics. */
  onCallEnd?: (event: { method: string; service: string; code: string; seconds: number }) => void;
}

export interface RpcServer {
  readonly port: number;
  readonly address: string;
  readonly health: HealthImplementation;
  /**
   * Marks every service NOT_SERVING and ends server-streaming calls with UNAVAILABLE, lets the
   * other running calls finish within the grace period, then ends the rest with UNAVAILABLE.
   */
  shutdown(): Promise<void>;
}

export const DEFAULT_MAX_RECEIVE_MESSAGE_BYTES = 4 * 1024 * 1024 + 64 * 1024;
export const DEFAULT_MAX_SEND_MESSAGE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_CONCURRENT_STREAMS = 100;
/** Time the UNAVAILABLE statuses sent at the end of the grace period get to reach clients before the connections are cut, in milliseconds. */
const FORCE_SHUTDOWN_DELAY_MS = 1_000;

function timed(handler: grpc.UntypedHandleCall, report: (code: string, seconds: number) => void): grpc.UntypedHandleCall {
  return ((call: SurfaceCall & { sendStatus?: unknown }, callback?: grpc.sendUnaryData<unknown>) => {
    const startedNs = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - startedNs) / 1e9;
    if (callback) {
      return (handler as (c: unknown, cb: unknown) => void)(call, (error: grpc.ServerErrorResponse | null, value: unknown) => {
        report(error ? (grpc.status[error.code ?? grpc.status.UNKNOWN] ?? 'UNKNOWN') : 'OK', seconds());
        callback(error, value);
      });
    }
    let reported = false;
    const once = (code: string) => {
      if (!reported) {
        reported = true;
        report(code, seconds());
      }
    };
    call.on('error', (error: grpc.StatusObject) => once(grpc.status[error.code ?? grpc.status.UNKNOWN] ?? 'UNKNOWN'));
    call.on('finish', () => once('OK'));
    call.on('cancelled', () => once('CANCELLED'));
    return (handler as (c: unknown) => void)(call);
  }) as grpc.UntypedHandleCall;
}

/** Starts a gRPC server with health checking, reflection, authentication, limits and graceful shutdown. */
export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const host = options.host ?? '127.0.0.1';
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
    'grpc.max_send_message_length': options.maxSendMessageBytes ?? DEFAULT_MAX_SEND_MESSAGE_BYTES,
    'grpc.max_concurrent_streams': options.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
  });
  const closing = new AbortController();
  const graceEnded = new AbortController();
  const tokens = options.auth && options.auth.tokens.size > 0 ? options.auth.tokens : undefined;
  if (options.auth) {
    checkScopeTables(
      options.services.map((registration) => registration.service),
      options.auth.scopes,
    );
  }

  const health = new HealthImplementation({ '': 'SERVING' });
  health.addToServer(server);
  reflectionFor(options.services.map((registration) => registration.service)).addToServer(server);

  for (const { service, handlers } of options.services) {
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const method of service.methods) {
      const handler = (handlers as Record<string, (...args: never[]) => Promise<unknown>>)[method.localName];
      if (!handler) {
        throw new Error(`${options.name}: no handler for ${service.typeName}.${method.name}`);
      }
      const path = `/${service.typeName}/${method.name}`;
      const needed = options.auth?.scopes.find((table) => table.service.typeName === service.typeName)?.scopes.get(method.name);
      const authorize = tokens && needed ? (metadata: grpc.Metadata) => authorizeCall(tokens, metadata, path, needed) : undefined;
      const grpcHandler = grpcHandlerFor(method, handler, options.logger, { authorize, shutdownSignal: closing.signal, graceEndSignal: graceEnded.signal });
      implementation[method.localName] = options.onCallEnd
        ? timed(grpcHandler, (code, seconds) => options.onCallEnd!({ method: method.name, service: service.typeName, code, seconds }))
        : grpcHandler;
    }
    server.addService(grpcServiceDefinition(service), implementation);
    health.setStatus(service.typeName, 'SERVING');
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${options.port ?? 0}`, options.credentials ?? grpc.ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(new Error(`${options.name}: cannot listen on ${host}:${options.port ?? 0}: ${error.message}`)) : resolve(boundPort),
    );
  });

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= new Promise<void>((resolve) => {
      health.setStatus('', 'NOT_SERVING');
      for (const { service } of options.services) {
        health.setStatus(service.typeName, 'NOT_SERVING');
      }
      closing.abort();
      let forceTimer: NodeJS.Timeout | undefined;
      const graceTimer = setTimeout(() => {
        options.logger.warn({ graceMs: options.shutdownGraceMs ?? 10_000 }, 'calls still running after the grace period; ending them with UNAVAILABLE');
        graceEnded.abort();
        // The statuses just sent usually let tryShutdown finish, and a connection still open after this delay is cut.
        forceTimer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, FORCE_SHUTDOWN_DELAY_MS);
      }, options.shutdownGraceMs ?? 10_000);
      server.tryShutdown(() => {
        clearTimeout(graceTimer);
        clearTimeout(forceTimer);
        resolve();
      });
    });
    return stopping;
  };

  return { port, address: `${host}:${port}`, health, shutdown };
}

/** Shuts the server down on SIGTERM or SIGINT, then calls `onStopped` (which usually exits). */
export function shutdownOnSignals(server: RpcServer, logger: RpcLogger, onStopped: () => void | Promise<void>): void {
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    void server.shutdown().then(onStopped);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
