// Entry point of the preprocessing pool's threads. A thread inherits node's command-line flags,
// so it gets tsx's loader when the process was started by `tsx`, but not a loader registered at
// run time, as vitest's is. The thread therefore registers tsx itself before it imports the
// TypeScript module, and a second registration under `tsx` does no harm.
import { register } from 'tsx/esm/api';

register();
const { preprocessImage } = await import('./preprocess-worker.ts');

export default preprocessImage;
