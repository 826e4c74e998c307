import { runService } from '@inception/rpc';
import { registryServiceDefinition } from './service.js';

await runService(registryServiceDefinition);
