export { shardingServiceDefinition } from './service.js';
export { shardingHandlers } from './rpc/handlers.js';
export { shardingMetrics } from './metrics.js';
export { planShardSet, shardSetId } from './domain/plan.js';
