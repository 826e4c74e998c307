import { create, fromBinary, toBinary, type DescMessage, type DescMethod, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import * as grpc from '@grpc/grpc-js';
import { bearerMetadata } from './auth.js';
import { inboundCall } from './call-scope.js';
import { serviceErrorFromGrpc, ServiceError } from './errors.js';
import { DEFAULT_MAX_RECEIVE_MESSAGE_BYTES, DEFAULT_MAX_SEND_MESSAGE_BYTES } from './server.js';
import { methodPath } from './service-definition.js';

/**
 * Per-call options. A call made while a handler serves another call also ends by that call's
 * deadline and is cancelled with it, without passing `deadlineMs` or `signal`.
 */
export interface CallOptions {
  /** Time allowed for this call, in milliseconds; overrides the client's default. */
  timeoutMs?: number;
  /** Absolute deadline as epoch milliseconds; the earliest of this, `timeoutMs` and the inbound call's deadline applies. */
  deadlineMs?: number;
  signal?: AbortSignal;
  metadata?: grpc.Metadata;
}

type Init<M extends DescMessage> = MessageInitShape<M>;
type Shape<M extends DescMessage> = MessageShape<M>;

type ClientMethodFor<M> = M extends { methodKind: 'unary'; input: infer I extends DescMessage; output: infer O extends DescMessage }
  ? (request: Init<I>, options?: CallOptions) => Promise<Shape<O>>
  : M extends { methodKind: 'server_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? (request: Init<I>, options?: CallOptions) => AsyncIterable<Shape<O>>
    : M extends { methodKind: 'client_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
      ? (requests: AsyncIterable<Init<I>> | Iterable<Init<I>>, options?: CallOptions) => Promise<Shape<O>>
      : never;

export type RpcClient<S extends GenServiceMethods> = { [K in keyof S]: ClientMethodFor<S[K]> } & {
  /** Closes the channel. */
  close(): void;
  /** Resolves once the channel is connected, or rejects after `timeoutMs`. */
  waitForReady(timeoutMs: number): Promise<void>;
  /** State of the channel now, without starting a connection; READY while a connection is up. */
  connectivityState(): grpc.connectivityState;
};

export interface RpcClientOptions {
  /** Default time allowed per call, in milliseconds (default 30 000); streams get no default deadline. */
  timeoutMs?: number;
  /** Metadata added to every call. */
  metadata?: () => grpc.Metadata;
  /** Bearer token sent on every call as "authorization: Bearer <token>". */
  token?: string;
  /** Methods safe to repeat (by name, e.g. "WriteShard"): retried on UNAVAILABLE by the channel. */
  idempotentMethods?: string[];
  /** Also retry idempotent methods on DEADLINE_EXCEEDED (default false). */
  retryOnDeadlineExceeded?: boolean;
  /** Spread calls over every address the target resolves to (default false: pick_first). */
  roundRobin?: boolean;
  channelOptions?: grpc.ChannelOptions;
}

function serviceConfig(service: GenService<GenServiceMethods>, options: RpcClientOptions): string {
  const retryableStatusCodes = options.retryOnDeadlineExceeded ? ['UNAVAILABLE', 'DEADLINE_EXCEEDED'] : ['UNAVAILABLE'];
  const methodConfig = (options.idempotentMethods ?? []).length
    ? [
        {
          name: (options.idempotentMethods ?? []).map((method) => ({ service: service.typeName, method })),
          retryPolicy: { maxAttempts: 4, initialBackoff: '0.2s', maxBackoff: '5s', backoffMultiplier: 2, retryableStatusCodes },
        },
      ]
    : [];
  return JSON.stringify({ loadBalancingConfig: [options.roundRobin ? { round_robin: {} } : { pick_first: {} }], methodConfig });
}

function deadlineFor(options: CallOptions | undefined, defaultTimeoutMs: number | undefined): grpc.Deadline | undefined {
  const candidates: number[] = [];
  if (options?.deadlineMs !== undefined && Number.isFinite(options.deadlineMs)) candidates.push(options.deadlineMs);
  const inbound = inboundCall();
  if (inbound && Number.isFinite(inbound.deadlineMs)) candidates.push(inbound.deadlineMs);
  const timeoutMs = options?.timeoutMs ?? defaultTimeoutMs;
  if (timeoutMs !== undefined) candidates.push(Date.now() + timeoutMs);
  return candidates.length ? new Date(Math.min(...candidates)) : undefined;
}

function toBytes(schema: DescMessage, message: unknown): Uint8Array {
  return toBinary(schema, create(schema, message as never));
}

function bindCancel(call: grpc.Call, signal: AbortSignal | undefined): void {
  for (const source of [signal, inboundCall()?.signal]) {
    if (!source) continue;
    if (source.aborted) call.cancel();
    else source.addEventListener('abort', () => call.cancel(), { once: true });
  }
}

async function* streamResponses<T>(call: grpc.ClientReadableStream<T>, method: string): AsyncIterable<T> {
  try {
    for await (const message of call) {
      yield message as T;
    }
  } catch (error) {
    throw serviceErrorFromGrpc(error as Error, method);
  } finally {
    call.cancel();
  }
}

/** Creates a typed client of a generated service on `target` (e.g. "127.0.0.1:5001" or "dns:///sharding:50051"). */
export function createRpcClient<S extends GenServiceMethods>(
  service: GenService<S>,
  target: string,
  options: RpcClientOptions = {},
  credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
): RpcClient<S> {
  const channel = new grpc.Client(target, credentials, {
    'grpc.max_receive_message_length': DEFAULT_MAX_SEND_MESSAGE_BYTES,
    'grpc.max_send_message_length': DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
    'grpc.service_config': serviceConfig(service as unknown as GenService<GenServiceMethods>, options),
    'grpc.enable_retries': 1,
    ...options.channelOptions,
  });
  const defaultTimeoutMs = options.timeoutMs ?? 30_000;
  const client: Record<string, unknown> = {
    close: () => channel.close(),
    connectivityState: () => channel.getChannel().getConnectivityState(false),
    waitForReady: (timeoutMs: number) =>
      new Promise<void>((resolve, reject) =>
        channel.waitForReady(Date.now() + timeoutMs, (error) =>
          error ? reject(ServiceError.unavailable(`${target} not ready after ${timeoutMs} ms: ${error.message}`, error)) : resolve(),
        ),
      ),
  };

  for (const method of service.methods as DescMethod[]) {
    const path = methodPath(method);
    const encode = (message: unknown) => Buffer.from(toBytes(method.input, message));
    const decode = (bytes: Buffer) => fromBinary(method.output, bytes);
    const metadataFor = (callOptions?: CallOptions) => {
      const metadata = options.metadata?.() ?? new grpc.Metadata();
      if (options.token) bearerMetadata(options.token, metadata);
      if (callOptions?.metadata) metadata.merge(callOptions.metadata);
      return metadata;
    };

    if (method.methodKind === 'unary') {
      client[method.localName] = (request: unknown, callOptions?: CallOptions) =>
        new Promise((resolve, reject) => {
          const call = channel.makeUnaryRequest(path, encode, decode, request, metadataFor(callOptions), { deadline: deadlineFor(callOptions, defaultTimeoutMs) }, (error, response) =>
            error ? reject(serviceErrorFromGrpc(error, path)) : resolve(response),
          );
          bindCancel(call, callOptions?.signal);
        });
    } else if (method.methodKind === 'server_streaming') {
      client[method.localName] = (request: unknown, callOptions?: CallOptions) => {
        const call = channel.makeServerStreamRequest(path, encode, decode, request, metadataFor(callOptions), { deadline: deadlineFor(callOptions, undefined) });
        bindCancel(call, callOptions?.signal);
        return streamResponses(call, path);
      };
    } else if (method.methodKind === 'client_streaming') {
      client[method.localName] = (requests: AsyncIterable<unknown> | Iterable<unknown>, callOptions?: CallOptions) =>
        new Promise((resolve, reject) => {
          const call = channel.makeClientStreamRequest(path, encode, decode, metadataFor(callOptions), { deadline: deadlineFor(callOptions, undefined) }, (error, response) =>
            error ? reject(serviceErrorFromGrpc(error, path)) : resolve(response),
          );
          bindCancel(call, callOptions?.signal);
          void (async () => {
            try {
              for await (const request of requests as AsyncIterable<unknown>) {
                if (!call.write(request)) {
                  await new Promise((drained) => call.once('drain', drained));
                }
              }
              call.end();
            } catch (error) {
              call.cancel();
              reject(error);
            }
          })();
        });
    }
  }
  return client as RpcClient<S>;
}
