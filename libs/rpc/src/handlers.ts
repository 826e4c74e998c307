import { create, type DescMessage, type DescMethod, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type * as grpc from '@grpc/grpc-js';
import { runInCallScope } from './call-scope.js';
import { ServiceError, toServiceError } from './errors.js';
import type { RpcLogger } from './logger.js';

/** Fields every server-side call object has (grpc-js does not export this type from its index). */
export interface SurfaceCall {
  readonly metadata: grpc.Metadata;
  getDeadline(): grpc.Deadline;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/** What a handler knows about the call besides its request. */
export interface CallContext {
  /** Full method path, e.g. "/inception.v1.IngestionService/ImportDataset". */
  readonly method: string;
  readonly metadata: grpc.Metadata;
  /** Aborted when the client cancels or its deadline passes. */
  readonly signal: AbortSignal;
  /** The client's deadline as epoch milliseconds, or Infinity when it set none. */
  readonly deadlineMs: number;
  readonly logger: RpcLogger;
}

type Init<M extends DescMessage> = MessageInitShape<M>;
type Shape<M extends DescMessage> = MessageShape<M>;

type HandlerFor<M> = M extends { methodKind: 'unary'; input: infer I extends DescMessage; output: infer O extends DescMessage }
  ? (request: Shape<I>, context: CallContext) => Promise<Init<O>>
  : M extends { methodKind: 'server_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? (request: Shape<I>, send: (response: Init<O>) => Promise<void>, context: CallContext) => Promise<void>
    : M extends { methodKind: 'client_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
      ? (requests: AsyncIterable<Shape<I>>, context: CallContext) => Promise<Init<O>>
      : never;

/** One implementation function per RPC of a generated service. */
export type ServiceHandlers<S extends GenServiceMethods> = { [K in keyof S]: HandlerFor<S[K]> };

export interface ServiceRegistration<S extends GenServiceMethods = GenServiceMethods> {
  service: GenService<S>;
  handlers: ServiceHandlers<S>;
}

/** Pairs a generated service with its handlers, checking their types. */
export function implement<S extends GenServiceMethods>(service: GenService<S>, handlers: ServiceHandlers<S>): ServiceRegistration {
  return { service, handlers } as unknown as ServiceRegistration;
}

function deadlineOf(call: SurfaceCall): number {
  const deadline = call.getDeadline();
  if (deadline instanceof Date) {
    return deadline.getTime();
  }
  return Number.isFinite(deadline) && deadline > 0 ? deadline : Infinity;
}

function contextFor(call: SurfaceCall, method: DescMethod, logger: RpcLogger, controller: AbortController): CallContext {
  call.on('cancelled', () => controller.abort(new Error('the client cancelled the call or its deadline passed')));
  return {
    method: `/${method.parent.typeName}/${method.name}`,
    metadata: call.metadata,
    signal: controller.signal,
    deadlineMs: deadlineOf(call),
    logger: logger.child({ rpc: method.name }),
  };
}

function statusOf(error: unknown, context: CallContext): grpc.ServerErrorResponse {
  const serviceError = toServiceError(error);
  if (serviceError.codeName === 'INTERNAL' || serviceError.codeName === 'UNKNOWN') {
    context.logger.error({ err: error }, `${context.method} failed`);
  } else {
    context.logger.info({ code: serviceError.codeName, message: serviceError.message }, `${context.method} rejected`);
  }
  return { name: 'ServiceError', message: serviceError.message, code: serviceError.code, details: serviceError.message };
}

async function* messagesOf<T>(stream: AsyncIterable<unknown>): AsyncIterable<T> {
  for await (const message of stream) {
    yield message as T;
  }
}

export interface HandlerOptions {
  /** Runs before the handler with the call's metadata; throws the status to reject the call with. */
  authorize?: (metadata: grpc.Metadata) => void;
  /** Aborted when the server starts shutting down: server-streaming calls then end with UNAVAILABLE. */
  shutdownSignal?: AbortSignal;
  /** Aborted when the shutdown grace period ends: unary and client-streaming calls still running then end with UNAVAILABLE. */
  graceEndSignal?: AbortSignal;
}

/**
 * Wraps `callback` so the call gets one status, and ends the call with UNAVAILABLE when
 * `graceEndSignal` aborts first. Without this the server's forced shutdown resets the stream, and
 * the client reports CANCELLED, as if it had cancelled the call itself.
 */
function respondOnce(callback: grpc.sendUnaryData<unknown>, context: CallContext, controller: AbortController, graceEndSignal: AbortSignal | undefined): grpc.sendUnaryData<unknown> {
  let responded = false;
  const endAtGraceEnd = () => {
    const error = ServiceError.unavailable(`${context.method}: the server shut down before the call finished`);
    controller.abort(error);
    respond(statusOf(error, context));
  };
  const respond: grpc.sendUnaryData<unknown> = (error, response) => {
    if (responded) return;
    responded = true;
    graceEndSignal?.removeEventListener('abort', endAtGraceEnd);
    callback(error, response);
  };
  if (graceEndSignal?.aborted) endAtGraceEnd();
  else graceEndSignal?.addEventListener('abort', endAtGraceEnd, { once: true });
  return respond;
}

/** Wraps a typed handler into the callback form grpc-js calls. */
export function grpcHandlerFor(method: DescMethod, handler: (...args: never[]) => Promise<unknown>, logger: RpcLogger, options: HandlerOptions = {}): grpc.UntypedHandleCall {
  const toMessage = (init: unknown) => create(method.output, init as never);
  const run = (context: CallContext, ...args: unknown[]): Promise<unknown> =>
    runInCallScope(context, async () => {
      options.authorize?.(context.metadata);
      return (handler as (...handlerArgs: unknown[]) => Promise<unknown>)(...args, context);
    });

  switch (method.methodKind) {
    case 'unary':
      return (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const controller = new AbortController();
        const context = contextFor(call, method, logger, controller);
        const respond = respondOnce(callback, context, controller, options.graceEndSignal);
        run(context, call.request).then(
          (response) => respond(null, toMessage(response)),
          (error: unknown) => respond(statusOf(error, context)),
        );
      };
    case 'server_streaming':
      return (call: grpc.ServerWritableStream<unknown, unknown>) => {
        const controller = new AbortController();
        const context = contextFor(call, method, logger, controller);
        // A watch can outlive any grace period, so shutdown ends it at once; the client opens it again elsewhere.
        const endOnShutdown = () => {
          if (controller.signal.aborted) return;
          const error = ServiceError.unavailable(`${context.method}: the server is shutting down; open the stream again`);
          controller.abort(error);
          call.emit('error', statusOf(error, context));
        };
        if (options.shutdownSignal?.aborted) endOnShutdown();
        else options.shutdownSignal?.addEventListener('abort', endOnShutdown, { once: true });

        const send = (response: unknown) =>
          new Promise<void>((resolve, reject) => {
            if (context.signal.aborted) {
              reject(context.signal.reason);
            } else if (call.write(toMessage(response))) {
              resolve();
            } else {
              call.once('drain', () => resolve());
              context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
            }
          });
        run(context, call.request, send)
          .then(
            () => {
              if (!context.signal.aborted) call.end();
            },
            // grpc-js turns an 'error' event carrying code and details into the call's final status.
            (error: unknown) => {
              if (!context.signal.aborted) {
                call.emit('error', statusOf(error, context));
              }
            },
          )
          .finally(() => options.shutdownSignal?.removeEventListener('abort', endOnShutdown));
      };
    case 'client_streaming':
      return (call: grpc.ServerReadableStream<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const controller = new AbortController();
        const context = contextFor(call, method, logger, controller);
        const respond = respondOnce(callback, context, controller, options.graceEndSignal);
        run(context, messagesOf(call)).then(
          (response) => respond(null, toMessage(response)),
          (error: unknown) => respond(statusOf(error, context)),
        );
      };
    default:
      throw new Error(`${method.name}: bidirectional streaming is not supported by this adapter`);
  }
}
