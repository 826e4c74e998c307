export * from './errors.js';
export * from './logger.js';
export * from './handlers.js';
export * from './server.js';
export * from './client.js';
export * from './validate.js';
export { methodPath, grpcServiceDefinition } from './service-definition.js';
export * from './health-client.js';
export * from './bootstrap.js';
