import { GrpcStatus, ServiceError } from '@inception/rpc';

/**
 * The request fields that a command's options set, by option: `{ '--image-size': ['config.image_size'] }`.
 * Fields are written as protobuf names (snake_case), and their lowerCamelCase form matches too.
 */
export type OptionFields = Readonly<Record<string, readonly string[]>>;

function camelCase(field: string): string {
  return field.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replaces each request field named in `message` by the option that sets it. A field matches
 * only as a whole path: "split" matches neither "split.seed" nor "splits".
 */
export function renameFieldsToOptions(message: string, fields: OptionFields): string {
  const optionByField = new Map<string, string>();
  for (const [option, paths] of Object.entries(fields)) {
    for (const path of paths) {
      optionByField.set(path, option);
      optionByField.set(camelCase(path), option);
    }
  }
  // Longest first, so that "config.image_size" wins over "image_size".
  const alternatives = [...optionByField.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp(`(?<![\\w.])(?:${alternatives.join('|')})(?![\\w]|\\.\\w)`, 'g');
  return message.replace(pattern, (field) => optionByField.get(field)!);
}

/** Statuses whose messages name request fields to change, because the request is invalid or not allowed in the current state. */
const FIELD_NAMING_CODES: ReadonlySet<GrpcStatus> = new Set([GrpcStatus.INVALID_ARGUMENT, GrpcStatus.FAILED_PRECONDITION]);

/**
 * Wraps a command's action so that an INVALID_ARGUMENT or FAILED_PRECONDITION from a service
 * names the options the user typed instead of the request fields they set. The services keep
 * their messages, which other clients read.
 */
export function withOptionNames<Args extends unknown[]>(fields: OptionFields, action: (...args: Args) => Promise<unknown>): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    try {
      await action(...args);
    } catch (error) {
      if (!(error instanceof ServiceError) || !FIELD_NAMING_CODES.has(error.code)) throw error;
      throw new ServiceError(error.code, renameFieldsToOptions(error.message, fields), { cause: error });
    }
  };
}
