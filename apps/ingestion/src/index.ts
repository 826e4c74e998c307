export { ingestionServiceDefinition } from './service.js';
export { ingestionHandlers, type IngestionDependencies } from './rpc/handlers.js';
export { MAX_UPLOAD_CHUNK_BYTES } from './rpc/upload.js';
export { ingestionMetrics } from './metrics.js';
export type { IngestionManifest } from './domain/manifest.js';
