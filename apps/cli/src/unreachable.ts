import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { connectivityState } from '@grpc/grpc-js';
import { GrpcStatus, ServiceError } from '@inception/rpc';
import { serviceAddressSettings } from './commands/output.js';

/**
 * Texts that grpc-js 1.14 puts in the UNAVAILABLE status it makes itself when no connection to
 * the target could be made. Any other UNAVAILABLE on a channel that is not READY is a connection
 * that broke during the call ("Connection dropped", "read ECONNRESET").
 */
const CONNECT_FAILED = /No connection established|Name resolution failed/;

/** Causes that grpc-js reports as a Node.js error code, in words. */
const REASONS: Array<[RegExp, string]> = [
  [/\bECONNREFUSED\b/, 'connection refused'],
  [/\bETIMEDOUT\b/, 'connection timed out'],
  [/\bEHOSTUNREACH\b|\bENETUNREACH\b/, 'host unreachable'],
  [/\bENOTFOUND\b|\bEAI_AGAIN\b|Name resolution failed/, 'address not found'],
];

/** Returns the cause of a failed connection in a few words, from grpc-js's "Last error" text. */
function connectFailureReason(message: string): string {
  for (const [pattern, reason] of REASONS) {
    if (pattern.test(message)) return reason;
  }
  const lastError = /Last error: (?:Error: )?(.*?)\.? Resolution note/.exec(message)?.[1];
  return lastError || 'no connection';
}

/**
 * Replaces grpc-js's text for a service that could not be reached, or whose connection broke,
 * with one that names the service, its address and the fix. The code stays UNAVAILABLE. An
 * UNAVAILABLE that the service sent (its object store is down, for one) arrives on a READY
 * channel, so it is returned unchanged, as is any other error.
 */
export function explainUnreachable(error: unknown, service: DescService, target: string, state: connectivityState): unknown {
  if (!(error instanceof ServiceError) || error.code !== GrpcStatus.UNAVAILABLE || state === connectivityState.READY) return error;

  const settings = serviceAddressSettings(service.typeName);
  const name = settings?.name ?? service.typeName;
  const failure = CONNECT_FAILED.test(error.message) ? `cannot reach the ${name} at ${target} (${connectFailureReason(error.message)})` : `lost the connection to the ${name} at ${target}`;
  const addressHint = settings ? `, or set ${settings.flag} or ${settings.variable} to the ${name}'s address` : '';
  return new ServiceError(GrpcStatus.UNAVAILABLE, `${failure}. Start the stack with \`inception up\` and export the INCEPTION_* variables it prints${addressHint}`, { cause: error });
}

/**
 * Replaces the status a grpc-js 1.14 server sends for a method it lacks ("The server does not
 * implement the method /<service>/<method>") with a message that names the address, the service
 * expected there and the option that sets its address. A server responded, so the address most
 * likely belongs to another service. The code stays UNIMPLEMENTED. An UNIMPLEMENTED whose message
 * does not name the called method's path (a handler that rejects one feature) is returned
 * unchanged, as is any other error.
 */
export function explainMissingMethod(error: unknown, method: DescMethod, target: string): unknown {
  if (!(error instanceof ServiceError) || error.code !== GrpcStatus.UNIMPLEMENTED) return error;
  const service = method.parent;
  if (!error.message.includes(`/${service.typeName}/${method.name}`)) return error;

  const settings = serviceAddressSettings(service.typeName);
  const name = settings?.name ?? service.typeName;
  const addressHint = settings ? `; set ${settings.flag} or ${settings.variable} to the ${name}'s address` : '';
  return new ServiceError(GrpcStatus.UNIMPLEMENTED, `the server at ${target} does not serve the ${name} (it lacks ${service.name}.${method.name})${addressHint}`, { cause: error });
}

/**
 * Wraps every method of a client so that its errors pass through explainUnreachable and
 * explainMissingMethod. A server-streaming call still starts when the method is called, as it
 * does unwrapped.
 */
export function withAddressMessages<C extends { connectivityState(): connectivityState }>(client: C, service: DescService, target: string): C {
  const wrapped: Record<string, unknown> = { ...(client as unknown as Record<string, unknown>) };

  for (const method of service.methods) {
    const call = (client as unknown as Record<string, (...args: unknown[]) => unknown>)[method.localName];
    if (call === undefined) continue;
    const explain = (error: unknown): never => {
      throw explainMissingMethod(explainUnreachable(error, service, target, client.connectivityState()), method, target);
    };
    if (method.methodKind === 'server_streaming') {
      wrapped[method.localName] = (...args: unknown[]) => {
        const responses = call(...args) as AsyncIterable<unknown>;
        return (async function* () {
          try {
            yield* responses;
          } catch (error) {
            explain(error);
          }
        })();
      };
    } else {
      wrapped[method.localName] = (...args: unknown[]) => (call(...args) as Promise<unknown>).catch(explain);
    }
  }
  return wrapped as C;
}
