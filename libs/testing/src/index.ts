export * from './fixtures.js';
export * from './object-store.js';
