export { startStack, type Stack, type ServiceName } from './stack/stack.js';
export { startProcess, REPO_ROOT, type StartedProcess } from './stack/child-process.js';
export { createClients, type Clients } from './clients.js';
export { runPipeline, type PipelineSettings, type PipelineResult } from './commands/pipeline.js';
