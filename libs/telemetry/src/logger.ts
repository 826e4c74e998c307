import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Keys whose values are secrets: environment variables, option names and request headers. */
const SECRET_KEYS = ['S3_SECRET_KEY', 'SERVICE_TOKEN', 'INCEPTION_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'secretKey', 'token', 'serviceToken', 'authorization', 'password'];

/**
 * Paths pino replaces with "[redacted]": each secret key at the top level of a log object and up
 * to two objects deep, which covers `{ env }`, `{ config }` and `{ request: { headers } }` dumps.
 * NOTE: redaction matches keys only; a secret inside a string, such as a message or a URL with a
 * password, is logged as it is, so no code may put one there.
 */
export const REDACTED_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** Creates the service's JSON logger, on stdout unless a destination is given. */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options = { name: service, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
