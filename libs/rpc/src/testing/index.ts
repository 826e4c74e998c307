export * from './partial-service.js';
export * from './certificates.js';
