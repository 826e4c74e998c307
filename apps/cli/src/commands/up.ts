import { startStack } from '../stack/stack.js';

/** `inception up`: starts the stack in the foreground until SIGINT or SIGTERM. */
export async function runUp(options: { dataDir: string }): Promise<void> {
  const stack = await startStack({
    dataDir: options.dataDir,
    s3Endpoint: process.env.S3_ENDPOINT,
    env: { ...process.env },
    onReady: (name, detail) => console.log(`${name} ready at ${detail}`),
  });
  console.log(`stack running; logs in ${stack.logDir}; press Ctrl-C to stop`);
  console.log(`export INCEPTION_INGESTION=${stack.services.ingestion.grpc} INCEPTION_SHARDING=${stack.services.sharding.grpc} INCEPTION_REGISTRY=${stack.services.registry.grpc} INCEPTION_TRAINER=${stack.services.trainer.grpc}`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('stopping the stack');
  await stack.stop();
}
