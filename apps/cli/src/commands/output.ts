import { toJson, type DescMessage, type JsonValue, type MessageShape } from '@bufbuild/protobuf';
import { IngestionService, RegistryService, ShardingService, TrainerService } from '@inception/proto';
import { Option } from 'commander';

/**
 * Converts a protobuf message to plain JSON for `--json` output. It uses protobuf's JSON mapping
 * (field names in lowerCamelCase, enums by name, 64-bit integers as strings) and includes fields
 * that hold their zero value (0, false, "", empty lists), so scripts find every scalar key.
 */
export function messageJson<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): JsonValue {
  return toJson(schema, message, { alwaysEmitImplicit: true });
}

/** Prints a protobuf message as `--json` output, converted by messageJson. */
export function printMessageJson<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): void {
  console.log(JSON.stringify(messageJson(schema, message), null, 2));
}

/**
 * The services the CLI calls, by the flag that names an address: the name in help texts, the name
 * in error messages, the environment variable, and the default port.
 */
const SERVICE_ADDRESSES = {
  ingestion: { name: 'ingestion', messageName: 'ingestion service', service: IngestionService, variable: 'INCEPTION_INGESTION', defaultAddress: '127.0.0.1:50051' },
  sharding: { name: 'sharding', messageName: 'sharding service', service: ShardingService, variable: 'INCEPTION_SHARDING', defaultAddress: '127.0.0.1:50052' },
  registry: { name: 'model registry', messageName: 'model registry', service: RegistryService, variable: 'INCEPTION_REGISTRY', defaultAddress: '127.0.0.1:50053' },
  trainer: { name: 'trainer', messageName: 'trainer', service: TrainerService, variable: 'INCEPTION_TRAINER', defaultAddress: '127.0.0.1:50054' },
} as const;

export type ServiceFlag = keyof typeof SERVICE_ADDRESSES;

/** Returns the message name, address flag and environment variable of a service by its protobuf name, e.g. "inception.v1.TrainerService". */
export function serviceAddressSettings(typeName: string): { name: string; flag: string; variable: string } | undefined {
  for (const [flag, settings] of Object.entries(SERVICE_ADDRESSES)) {
    if (settings.service.typeName === typeName) return { name: settings.messageName, flag: `--${flag}`, variable: settings.variable };
  }
  return undefined;
}

/**
 * Creates the `--<service> <address>` option. Commander takes the value from the flag, then the
 * environment variable, then the default port on 127.0.0.1, and shows both in --help.
 */
export function addressOption(service: ServiceFlag): Option {
  const { name, variable, defaultAddress } = SERVICE_ADDRESSES[service];
  return new Option(`--${service} <address>`, `${name} gRPC address`).env(variable).default(defaultAddress);
}

/** Returns the address from the flag, else the environment variable, else the default, for callers that bypass commander. */
export function serviceAddress(flag: string | undefined, service: ServiceFlag): string {
  const { variable, defaultAddress } = SERVICE_ADDRESSES[service];
  return flag ?? process.env[variable] ?? defaultAddress;
}

/** Appends a default that the service applies, in commander's `(default: …)` form, to an option's help text. */
export function withDefault(description: string, defaultText: string): string {
  return `${description} (default: ${defaultText})`;
}
