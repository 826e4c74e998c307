export * from './errors.js';
export * from './s3-uri.js';
export * from './object-store.js';
export * from './embedded-s3.js';
export * from './layout.js';
export * from './manifests.js';
