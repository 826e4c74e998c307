import { crc32cOf, formatCrc, maskCrc32c, unmaskCrc32c } from '@inception/tfrecord';

import { assembleSlices, formatSlice, type SlicePart } from './assemble.js';
import type { ByteSource, CheckpointFileSystem } from './byte-source.js';
import { CheckpointError } from './errors.js';
import { decodeBundleEntry, decodeBundleHeader, type BundleEntry, type BundleHeader } from './messages/decode.js';
import { encodeTensorNameSlice } from './ordered-code.js';
import { elementCount, sliceShape } from './slices.js';
import { SSTableReader } from './sstable/table-reader.js';
import { decodeStringTensor } from './string-tensor.js';
import { dataTypeName, ELEMENT_SIZE_BYTES, isDecodedDType, type CheckpointDType, type CheckpointTensor, type CheckpointTensorInfo, type TensorValuesByDType } from './tensor.js';
import { decodeFixedWidthValues } from './values.js';

/** The bundle format version this reader implements (TensorFlow's kTensorBundleVersion). */
const BUNDLE_CONSUMER_VERSION = 1;

const utf8 = new TextDecoder();

/** Returns the name of a V2 data file: `<prefix>.data-00000-of-00001`. */
export function bundleDataFileName(prefix: string, shardId: number, numShards: number): string {
  return `${prefix}.data-${String(shardId).padStart(5, '0')}-of-${String(numShards).padStart(5, '0')}`;
}

/**
 * Reads a TensorFlow V2 checkpoint (a tensor bundle): `<prefix>.index`, an SSTable whose "" key
 * contains a BundleHeaderProto and whose other keys map tensor names to BundleEntryProtos, and the
 * data files `<prefix>.data-NNNNN-of-NNNNN` that contain the tensor bytes. Opening reads the index
 * only; `read` fetches one tensor's bytes and checks its CRC32C.
 */
export class BundleReader {
  private readonly dataFiles = new Map<number, Promise<ByteSource>>();
  private isClosed = false;

  private constructor(
    readonly prefix: string,
    private readonly fileSystem: CheckpointFileSystem,
    readonly header: BundleHeader,
    private readonly entries: ReadonlyMap<string, BundleEntry>,
    /** Entries of the slices of partitioned tensors, keyed by their ordered-code key in latin1. */
    private readonly sliceEntries: ReadonlyMap<string, BundleEntry>,
  ) {}

  static async open(prefix: string, fileSystem: CheckpointFileSystem): Promise<BundleReader> {
    const indexName = `${prefix}.index`;
    const indexSource = await fileSystem.open(indexName);
    if (indexSource === undefined) {
      throw new CheckpointError({ fileName: indexName, check: 'not-found', detail: 'the V2 checkpoint index file does not exist' });
    }

    try {
      const table = await SSTableReader.open(indexSource);
      let header: BundleHeader | undefined;
      const entries = new Map<string, BundleEntry>();
      const sliceEntries = new Map<string, BundleEntry>();
      for await (const { key, value } of table.entries()) {
        const decode = <T>(decoder: (bytes: Uint8Array) => T): T => decodeOrFail(indexName, key, value, decoder);
        if (key.length === 0) header = decode(decodeBundleHeader);
        else if (key[0] === 0) sliceEntries.set(Buffer.from(key).toString('latin1'), decode(decodeBundleEntry));
        else entries.set(utf8.decode(key), decode(decodeBundleEntry));
      }

      if (header === undefined) throw new CheckpointError({ fileName: indexName, check: 'corrupt', detail: 'the header entry (key "") is missing' });
      checkHeader(indexName, header);
      return new BundleReader(prefix, fileSystem, header, entries, sliceEntries);
    } finally {
      await indexSource.close();
    }
  }

  /** Every tensor of the bundle in key order; slices of partitioned tensors are not listed apart. */
  get tensors(): CheckpointTensorInfo[] {
    return [...this.entries].map(([name, entry]) => ({ name, dtype: dataTypeName(entry.dtype), shape: entry.shape, numElements: elementCount(entry.shape) }));
  }

  /** Reads one tensor, assembling a partitioned one from its slices. */
  async read(name: string): Promise<CheckpointTensor> {
    const entry = this.entries.get(name);
    const indexName = `${this.prefix}.index`;
    if (entry === undefined) throw new CheckpointError({ fileName: indexName, tensorName: name, check: 'not-found', detail: 'no such tensor in the checkpoint' });
    const dtype = dataTypeName(entry.dtype);
    if (!isDecodedDType(dtype)) {
      throw new CheckpointError({ fileName: indexName, tensorName: name, check: 'unsupported', detail: `dtype ${dtype} is not decoded; float, double, int32, int64, bool and string are` });
    }

    const values = entry.slices.length === 0 ? await this.readValues(name, dtype, entry, entry.shape) : await this.readPartitioned(name, dtype, entry);
    return { name, dtype, shape: entry.shape, values } as CheckpointTensor;
  }

  /** Closes the data files; later reads fail. */
  async close(): Promise<void> {
    this.isClosed = true;
    const sources = await Promise.allSettled(this.dataFiles.values());
    this.dataFiles.clear();
    for (const source of sources) if (source.status === 'fulfilled') await source.value.close();
  }

  private async readPartitioned<D extends CheckpointDType>(name: string, dtype: D, entry: BundleEntry): Promise<TensorValuesByDType[D]> {
    const parts: SlicePart<D>[] = [];
    for (const slice of entry.slices) {
      const key = Buffer.from(encodeTensorNameSlice(name, slice)).toString('latin1');
      const sliceEntry = this.sliceEntries.get(key);
      if (sliceEntry === undefined) {
        throw new CheckpointError({ fileName: `${this.prefix}.index`, tensorName: name, check: 'corrupt', detail: `slice ${formatSlice(slice)} has no entry` });
      }
      parts.push({ slice, values: await this.readValues(name, dtype, sliceEntry, sliceShape(entry.shape, slice)) });
    }
    return assembleSlices({ fileName: `${this.prefix}.index`, tensorName: name }, dtype, entry.shape, parts);
  }

  private async readValues<D extends CheckpointDType>(name: string, dtype: D, entry: BundleEntry, shape: readonly number[]): Promise<TensorValuesByDType[D]> {
    const source = await this.dataFile(name, entry.shardId);
    const bytes = await source.read(entry.offsetBytes, entry.sizeBytes);
    const count = elementCount(shape);
    const littleEndian = this.header.endianness === 'little';
    const fail = (check: 'corrupt' | 'tensor-crc', detail: string): CheckpointError => new CheckpointError({ fileName: source.name, tensorName: name, check, detail });

    if (dtype === 'string') {
      const decoded = decodeStringTensor(bytes, count, littleEndian, { fileName: source.name, tensorName: name });
      if (decoded.crc32c !== unmaskCrc32c(entry.maskedCrc32c)) {
        throw fail('tensor-crc', `CRC32C mismatch over ${entry.sizeBytes} bytes at offset ${entry.offsetBytes} (stored ${formatCrc(unmaskCrc32c(entry.maskedCrc32c))}, computed ${formatCrc(decoded.crc32c)})`);
      }
      return decoded.values as TensorValuesByDType[D];
    }

    const fixedDType = dtype as Exclude<CheckpointDType, 'string'>;
    const expectedSizeBytes = count * ELEMENT_SIZE_BYTES[fixedDType];
    if (entry.sizeBytes !== expectedSizeBytes) {
      throw fail('corrupt', `entry size ${entry.sizeBytes} bytes differs from ${expectedSizeBytes} bytes for ${count} ${dtype} values`);
    }
    const computedCrc = maskCrc32c(crc32cOf(bytes));
    if (computedCrc !== entry.maskedCrc32c) {
      throw fail('tensor-crc', `masked CRC32C mismatch over ${entry.sizeBytes} bytes at offset ${entry.offsetBytes} (stored ${formatCrc(entry.maskedCrc32c)}, computed ${formatCrc(computedCrc)})`);
    }
    return decodeFixedWidthValues(fixedDType, bytes, littleEndian) as TensorValuesByDType[D];
  }

  private dataFile(tensorName: string, shardId: number): Promise<ByteSource> {
    if (this.isClosed) throw new Error(`BundleReader.read: ${this.prefix} is closed; open the checkpoint again to read ${tensorName}`);
    const { numShards } = this.header;
    if (!Number.isInteger(shardId) || shardId < 0 || shardId >= numShards) {
      throw new CheckpointError({ fileName: `${this.prefix}.index`, tensorName, check: 'corrupt', detail: `shard ${shardId} is outside the bundle's ${numShards} shards` });
    }
    let source = this.dataFiles.get(shardId);
    if (source === undefined) {
      const fileName = bundleDataFileName(this.prefix, shardId, numShards);
      source = this.fileSystem.open(fileName).then((opened) => {
        if (opened === undefined) throw new CheckpointError({ fileName, tensorName, check: 'not-found', detail: 'the V2 checkpoint data file does not exist' });
        return opened;
      });
      this.dataFiles.set(shardId, source);
    }
    return source;
  }
}

function checkHeader(indexName: string, header: BundleHeader): void {
  if (header.numShards < 1) {
    throw new CheckpointError({ fileName: indexName, check: 'corrupt', detail: `the header lists ${header.numShards} data shards; a bundle has at least 1` });
  }
  const { minConsumer, badConsumers, producer } = header.version;
  if (minConsumer > BUNDLE_CONSUMER_VERSION || badConsumers.includes(BUNDLE_CONSUMER_VERSION)) {
    throw new CheckpointError({ fileName: indexName, check: 'unsupported', detail: `bundle version (producer ${producer}, min consumer ${minConsumer}, bad consumers [${badConsumers.join(', ')}]) excludes reader version ${BUNDLE_CONSUMER_VERSION}` });
  }
}

function decodeOrFail<T>(fileName: string, key: Uint8Array, value: Uint8Array, decoder: (bytes: Uint8Array) => T): T {
  try {
    return decoder(value);
  } catch (error) {
    throw new CheckpointError({ fileName, check: 'corrupt', detail: `the value of key ${JSON.stringify(Buffer.from(key).toString('latin1'))} does not parse`, cause: error });
  }
}
