import { z } from 'zod';

/** One environment variable of a service: its schema (with default) and the line its README table shows. */
export interface EnvVariable<T extends z.ZodType = z.ZodType> {
  schema: T;
  description: string;
}

export type EnvTable = Record<string, EnvVariable>;

export type ConfigOf<T extends EnvTable> = { readonly [K in keyof T]: z.output<T[K]['schema']> };

/** Thrown when an environment variable does not parse; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the variables of `table` from `env` once into a frozen, typed object. */
export function parseEnv<T extends EnvTable>(table: T, env: NodeJS.ProcessEnv): ConfigOf<T> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(table)) {
    const raw = env[name];
    const result = variable.schema.safeParse(raw === '' ? undefined : raw);
    if (result.success) {
      values[name] = result.data;
    } else {
      problems.push(`${name}=${JSON.stringify(raw)}: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`invalid environment: ${problems.join(', ')}`);
  }
  return Object.freeze(values) as ConfigOf<T>;
}

/** Renders the table as Markdown rows for a README: variable, default, meaning. */
export function describeEnv(table: EnvTable): string {
  const rows = Object.entries(table).map(([name, variable]) => {
    const parsed = variable.schema.safeParse(undefined);
    const fallback = parsed.success && parsed.data !== undefined ? `\`${String(parsed.data)}\`` : '(none)';
    return `| \`${name}\` | ${fallback} | ${variable.description} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** A TCP port number; 0 asks the system for a free port. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const text = (fallback: string) => z.string().default(fallback);

export const optionalText = () => z.string().optional();

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

export const logLevel = () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
