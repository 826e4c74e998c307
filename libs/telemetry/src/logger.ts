import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths pino replaces with "[redacted]" so secrets never reach the logs. */
export const REDACTED_PATHS = ['S3_SECRET_KEY', 'SERVICE_TOKEN', '*.S3_SECRET_KEY', '*.SERVICE_TOKEN', '*.secretKey', '*.token', '*.authorization', 'authorization'];

/** Creates the service's JSON logger on stdout. */
export function createLogger(service: string, level: string): Logger {
  return pino({ name: service, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}
