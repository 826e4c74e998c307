import { AsyncLocalStorage } from 'node:async_hooks';

/** The part of a call being served that outgoing calls made on its behalf inherit. */
export interface InboundCall {
  /** The caller's deadline as epoch milliseconds, or Infinity. */
  readonly deadlineMs: number;
  /** Aborted when the caller cancels or its deadline passes. */
  readonly signal: AbortSignal;
}

interface ScopedCall extends InboundCall {
  ended: boolean;
}

const currentCall = new AsyncLocalStorage<ScopedCall>();

/**
 * Runs a handler so that clients called from it (directly or through any chain of awaits) cap
 * their deadlines at the caller's and are cancelled with it, as gRPC's deadline propagation
 * requires. Work the handler leaves running after it settles stops inheriting the call.
 */
export function runInCallScope<T>(call: InboundCall, work: () => Promise<T>): Promise<T> {
  const scoped: ScopedCall = { deadlineMs: call.deadlineMs, signal: call.signal, ended: false };
  return currentCall.run(scoped, work).finally(() => {
    scoped.ended = true;
  });
}

/** The call being served by the current handler, or undefined outside one or after it ended. */
export function inboundCall(): InboundCall | undefined {
  const call = currentCall.getStore();
  return call && !call.ended ? call : undefined;
}
