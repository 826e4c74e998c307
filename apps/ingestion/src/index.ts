export { ingestionServiceDefinition } from './service.js';
export { ingestionHandlers } from './rpc/handlers.js';
export { ingestionMetrics } from './metrics.js';
