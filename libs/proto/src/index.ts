export * as tensorflow from './tensorflow.js';
export * from './gen/inception/v1/common_pb.js';
export * from './gen/inception/v1/ingestion_pb.js';
export * from './gen/inception/v1/sharding_pb.js';
export * from './gen/inception/v1/trainer_pb.js';
export * from './gen/inception/v1/registry_pb.js';
export * as health from './gen/grpc/health/v1/health_pb.js';
