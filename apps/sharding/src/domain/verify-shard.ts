import { createHash } from 'node:crypto';
import type { ObjectStore } from '@inception/storage';
import { readTFRecords } from '@inception/tfrecord';
import type { CompressionName } from './plan.js';

/** Thrown when a written shard object differs from the bytes its writer produced. */
export class ShardIntegrityError extends Error {
  override readonly name = 'ShardIntegrityError';
}

export interface ExpectedShard {
  sizeBytes: number;
  sha256: string;
  records: number;
  compression: CompressionName;
}

/**
 * Reads a shard object back and checks its size, SHA-256 and record count against what was
 * written. Every record's length and data CRC is checked on the way, so a short or damaged
 * object fails here instead of in a training job.
 */
export async function verifyShardObject(store: ObjectStore, key: string, expected: ExpectedShard): Promise<void> {
  const stream = await store.getStream(key);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      sizeBytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  }

  let records = 0;
  for await (const _record of readTFRecords(hashed(), { fileName: key, compression: expected.compression })) {
    records += 1;
  }

  const sha256 = hash.digest('hex');
  if (records !== expected.records) {
    throw new ShardIntegrityError(`${key}: read back ${records} records, expected ${expected.records}`);
  }
  if (sizeBytes !== expected.sizeBytes) {
    throw new ShardIntegrityError(`${key}: read back ${sizeBytes} bytes, expected ${expected.sizeBytes}`);
  }
  if (sha256 !== expected.sha256) {
    throw new ShardIntegrityError(`${key}: read back SHA-256 ${sha256}, expected ${expected.sha256}`);
  }
}
