import { startEmbeddedS3 } from '@inception/storage';

// The embedded S3 server as its own process, so `inception up` can stop or restart it like any
// other part of the stack. Prints one JSON line with its endpoint once it listens.
const directory = process.env.S3_DATA_DIR;
if (!directory) {
  console.error('S3_DATA_DIR is not set: name the folder that keeps the objects');
  process.exit(2);
}
const server = await startEmbeddedS3({
  directory,
  host: process.env.S3_HOST ?? '127.0.0.1',
  port: Number(process.env.S3_PORT ?? 0),
  buckets: [process.env.S3_BUCKET ?? 'inception'],
});
console.log(JSON.stringify({ msg: 'ready', endpoint: server.endpoint, port: server.port }));

const stop = () => {
  void server.stop().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
