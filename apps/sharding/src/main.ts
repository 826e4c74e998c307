import { runService } from '@inception/rpc';
import { shardingServiceDefinition } from './service.js';

await runService(shardingServiceDefinition);
