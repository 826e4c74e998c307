import { runService } from '@inception/rpc';
import { trainerServiceDefinition } from './service.js';

await runService(trainerServiceDefinition);
