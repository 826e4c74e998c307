import { runService } from '@inception/rpc';
import { ingestionServiceDefinition } from './service.js';

await runService(ingestionServiceDefinition);
