export { trainerServiceDefinition } from './service.js';
export { trainerHandlers } from './rpc/handlers.js';
export { trainerMetrics } from './metrics.js';
export { JobRunner } from './domain/job-runner.js';
