/**
 * Container health check for the services: sends a grpc.health.v1 Check to the gRPC server in
 * the same container and exits 0 on SERVING, 1 otherwise (NOT_SERVING during shutdown,
 * unreachable, timed out). Kubernetes probes gRPC natively, and compose runs this script.
 *
 *   node --import tsx tools/deploy-check/src/grpc-health-probe.ts [--target HOST:PORT] [--service NAME] [--timeout-ms N]
 *
 * The target defaults to 127.0.0.1:$GRPC_PORT, the port the service listens on.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { checkHealth } from '@inception/rpc';

export interface ProbeOptions {
  /** gRPC target, e.g. "127.0.0.1:50051". */
  target: string;
  /** Service name to check; '' (the default) is the whole server. */
  service?: string;
  /** Deadline of the Check call, in milliseconds (default 3000). */
  timeoutMs?: number;
}

export interface ProbeResult {
  healthy: boolean;
  /** One line for the health-check log: the target and the status or the error. */
  message: string;
}

/** Calls grpc.health.v1 Check on the target and turns every failure into an unhealthy result. */
export async function probeHealth(options: ProbeOptions): Promise<ProbeResult> {
  const service = options.service ?? '';
  const subject = service ? `${options.target} (${service})` : options.target;
  try {
    const status = await checkHealth(options.target, service, options.timeoutMs ?? 3_000);
    return { healthy: status === 'SERVING', message: `${subject}: ${status}` };
  } catch (error) {
    return { healthy: false, message: `${subject}: health check failed: ${(error as Error).message}` };
  }
}

/** Parses the command line and the environment into probe options. */
export function probeOptionsFrom(argv: string[], env: NodeJS.ProcessEnv): ProbeOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string' },
      service: { type: 'string', default: '' },
      'timeout-ms': { type: 'string', default: '3000' },
    },
  });
  const timeoutMs = Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new Error(`--timeout-ms must be a positive integer of milliseconds, got "${values['timeout-ms']}"`);
  }
  const target = values.target ?? (env.GRPC_PORT ? `127.0.0.1:${env.GRPC_PORT}` : undefined);
  if (!target) {
    throw new Error('missing target: pass --target HOST:PORT or set GRPC_PORT');
  }
  return { target, service: values.service, timeoutMs };
}

async function main(): Promise<void> {
  let options: ProbeOptions;
  try {
    options = probeOptionsFrom(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`grpc-health-probe: ${(error as Error).message}`);
    process.exit(2);
  }
  const result = await probeHealth(options);
  (result.healthy ? console.log : console.error)(result.message);
  process.exit(result.healthy ? 0 : 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
