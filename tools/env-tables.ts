// Prints the services' environment-variable tables as Markdown, for the README: the variables
// every service reads once, then each service's own with its default ports.
import { commonEnv, describeEnv } from '@inception/config';
import { ingestionServiceDefinition } from '@inception/ingestion';
import { registryServiceDefinition } from '@inception/model-registry';
import { shardingServiceDefinition } from '@inception/sharding';
import { trainerServiceDefinition } from '@inception/trainer';

console.log('Every service:\n');
console.log(describeEnv(commonEnv('service', 0, 0)).replace(/`0`/g, 'see below'));
console.log();
for (const definition of [ingestionServiceDefinition, shardingServiceDefinition, registryServiceDefinition, trainerServiceDefinition]) {
  console.log(`${definition.name} (default GRPC_PORT ${definition.defaultGrpcPort}, METRICS_PORT ${definition.defaultMetricsPort}):\n`);
  console.log(Object.keys(definition.env).length ? describeEnv(definition.env) : 'no variables of its own.');
  console.log();
}
