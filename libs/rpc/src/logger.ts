/** The slice of a pino logger the RPC layer uses; apps pass their own logger in. */
export interface RpcLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
  child(bindings: Record<string, unknown>): RpcLogger;
}

/** A logger that drops everything, for tests and tools that do not log. */
export const silentLogger: RpcLogger = {
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
