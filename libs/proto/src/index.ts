export * as tensorflow from './tensorflow.js';
