export * from './gen/tensorflow/core/example/feature_pb.js';
export * from './gen/tensorflow/core/example/example_pb.js';
