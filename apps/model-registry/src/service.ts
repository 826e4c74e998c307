import { RegistryService } from '@inception/proto';
import { methodScopes, type ServiceDefinitionOptions } from '@inception/rpc';
import { REGISTRY_DEFAULT_GRPC_PORT, REGISTRY_DEFAULT_METRICS_PORT, registryEnv } from './config.js';
import { registryMetrics } from './metrics.js';
import { initBackend } from '@inception/tf-runtime';
import { Classifier } from './domain/classifier.js';
import { registryHandlers } from './rpc/handlers.js';

/** Scope each registry RPC needs when AUTH_TOKENS_FILE is set: alias moves and deletions need admin. */
export const registryScopes = methodScopes(RegistryService, {
  createModel: 'write',
  createVersion: 'write',
  getVersion: 'read',
  listVersions: 'read',
  getModel: 'read',
  listModels: 'read',
  setAlias: 'admin',
  deleteAlias: 'admin',
  deleteVersion: 'admin',
  classify: 'read',
});

/** The model-registry process: its variables and how its handlers are built. */
export const registryServiceDefinition: ServiceDefinitionOptions<typeof registryEnv> = {
  name: 'model-registry',
  metricsPrefix: 'inception_registry',
  defaultGrpcPort: REGISTRY_DEFAULT_GRPC_PORT,
  defaultMetricsPort: REGISTRY_DEFAULT_METRICS_PORT,
  env: registryEnv,
  scopes: [registryScopes],
  async create({ store, metrics, logger }) {
    // Classify runs the models; the registry needs no device of its own, so wasm or cpu will do.
    const choice = await initBackend({});
    logger.info({ backend: choice.backend }, `TensorFlow.js backend for Classify: ${choice.backend}`);
    const classifier = new Classifier(store);
    return { services: [registryHandlers({ store, metrics: registryMetrics(metrics), classifier })], stop: async () => classifier.dispose() };
  },
};
