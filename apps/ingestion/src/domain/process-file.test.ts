import { readFile } from 'node:fs/promises';
import { StorageError } from '@inception/storage';
import { fixturePath } from '@inception/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SourceFile } from '../sources/types.js';
import { processFile, type FileOutcome, type ImageLocation, type ImageSink } from './process-file.js';

const OPTIONS = { maxImagePixels: 100_000_000, maxFileBytes: 1_000_000 };

class MemorySink implements ImageSink {
  readonly stored = new Map<string, Uint8Array>();

  async put(sha256: string, jpegBytes: Uint8Array): Promise<ImageLocation> {
    this.stored.set(sha256, jpegBytes);
    return { key: 'packs/memory.pack', offsetBytes: 64 * (this.stored.size - 1) };
  }

  async flush(): Promise<void> {}
}

function source(read: () => Promise<Uint8Array>, sizeBytes = 100): SourceFile {
  return { className: 'roses', relativePath: 'roses/a.jpg', sizeBytes, read };
}

function skippedEntry(outcome: FileOutcome) {
  if (outcome.kind !== 'skipped') throw new Error(`expected a skipped file, got the image ${outcome.image.sourcePath}`);
  return outcome.skipped;
}

let jpeg: Buffer;

beforeAll(async () => {
  jpeg = await readFile(fixturePath('tensorflow/jpeg/small.jpg'));
});

describe('processFile', () => {
  it('stores a kept JPEG and records where the sink put it', async () => {
    const sink = new MemorySink();
    const outcome = await processFile(sink, 'train', source(async () => jpeg), 2, OPTIONS);
    if (outcome.kind !== 'image') throw new Error(`expected an image, got ${outcome.skipped.reason}`);
    expect(outcome.image.key).toBe('packs/memory.pack');
    expect(outcome.image.offsetBytes).toBe(0);
    expect(outcome.image.sizeBytes).toBe(jpeg.length);
    expect(outcome.image.label).toBe(2);
    expect(sink.stored.get(outcome.image.sha256)).toBe(jpeg);
  });

  it('skips a file that cannot be read', async () => {
    const missing = Object.assign(new Error("ENOENT: no such file or directory, open 'roses/a.jpg'"), { code: 'ENOENT' });
    const skipped = skippedEntry(await processFile(new MemorySink(), 'train', source(() => Promise.reject(missing)), 1, OPTIONS));
    expect(skipped.reason).toBe('read-failed');
    expect(skipped.detail).toContain('ENOENT');
  });

  it('skips a large file unread', async () => {
    let reads = 0;
    const read = async () => {
      reads += 1;
      return jpeg;
    };
    const skipped = skippedEntry(await processFile(new MemorySink(), 'validation', source(read, OPTIONS.maxFileBytes + 1), 1, OPTIONS));
    expect(skipped.reason).toBe('file-too-large');
    expect(skipped.split).toBe('validation');
    expect(reads).toBe(0);
  });

  it('fails when the object store is unreachable', async () => {
    const unavailable = new StorageError('unavailable', 'photos/roses/a.jpg', 'read photos/roses/a.jpg: object store unavailable (ECONNREFUSED)');
    await expect(processFile(new MemorySink(), 'train', source(() => Promise.reject(unavailable)), 1, OPTIONS)).rejects.toBe(unavailable);
  });
});
