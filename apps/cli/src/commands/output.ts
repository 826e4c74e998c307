import { toJson, type DescMessage, type MessageShape } from '@bufbuild/protobuf';

/** Prints a protobuf message as JSON (protobuf's JSON mapping, field names in lowerCamelCase). */
export function printMessageJson<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): void {
  console.log(JSON.stringify(toJson(schema, message), null, 2));
}

/** Service address from a flag, then an environment variable, then the service's default port on 127.0.0.1. */
export function serviceAddress(flag: string | undefined, variable: string, defaultPort: number): string {
  return flag ?? process.env[variable] ?? `127.0.0.1:${defaultPort}`;
}
