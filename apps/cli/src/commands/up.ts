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
  // Ports are picked at start, so these change with every `up`; the S3 variables serve the commands that read the bucket directly.
  console.log(`export INCEPTION_INGESTION=${stack.services.ingestion.grpc} INCEPTION_SHARDING=${stack.services.sharding.grpc} INCEPTION_REGISTRY=${stack.services.registry.grpc} INCEPTION_TRAINER=${stack.services.trainer.grpc}`);
  if (!process.env.S3_ENDPOINT) console.log(`export S3_ENDPOINT=${stack.s3Endpoint} S3_BUCKET=${stack.bucket} S3_ACCESS_KEY=S3RVER S3_SECRET_KEY=S3RVER`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('stopping the stack');
  await stack.stop();
  console.log('stack stopped');
}
