export { registryServiceDefinition } from './service.js';
export { registryHandlers } from './rpc/handlers.js';
export { registryMetrics } from './metrics.js';
export { Classifier } from './domain/classifier.js';
