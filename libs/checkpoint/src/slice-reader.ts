import { assembleSlices, formatSlice, type SlicePart } from './assemble.js';
import type { ByteSource } from './byte-source.js';
import { CheckpointError } from './errors.js';
import { decodeSavedTensorSlices, type SavedSliceMeta, type SavedTensorSliceMeta } from './messages/decode.js';
import { encodeTensorNameSlice } from './ordered-code.js';
import { elementCount, sliceProblem, sliceShape } from './slices.js';
import { SSTableReader } from './sstable/table-reader.js';
import { decodeTensorProtoValues } from './tensor-proto-values.js';
import { dataTypeName, isDecodedDType, type CheckpointDType, type CheckpointTensor, type CheckpointTensorInfo, type TensorValuesByDType } from './tensor.js';

/** The V1 checkpoint version this reader implements (TensorFlow's TF_CHECKPOINT_VERSION). */
const CHECKPOINT_CONSUMER_VERSION = 1;

/**
 * Reads a TensorFlow V1 checkpoint: one SSTable whose "" key contains a SavedTensorSlices with the
 * metadata of every tensor (name, shape, dtype, saved slices), and whose other keys, built by
 * `encodeTensorNameSlice`, each contain one SavedSlice of data. Opening reads the footer, the index
 * and the metadata; `read` fetches only the blocks that contain one tensor's slices.
 */
export class TensorSliceReader {
  private isClosed = false;

  private constructor(
    private readonly table: SSTableReader,
    private readonly metaByName: ReadonlyMap<string, SavedSliceMeta>,
  ) {}

  /** Opens the table in `source` and reads its metadata. Closes `source` when that fails. */
  static async open(source: ByteSource): Promise<TensorSliceReader> {
    try {
      const table = await SSTableReader.open(source);
      const metaValue = await table.get(new Uint8Array(0));
      const meta = metaValue === undefined ? undefined : decodeOrFail(source.name, () => decodeSavedTensorSlices(metaValue).meta);
      if (meta === undefined) {
        throw new CheckpointError({ fileName: source.name, check: 'corrupt', detail: 'the metadata entry (key "") with a SavedTensorSliceMeta is missing' });
      }
      checkVersions(source.name, meta);
      return new TensorSliceReader(table, new Map(meta.tensors.map((tensor) => [tensor.name, tensor])));
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  get fileName(): string {
    return this.table.source.name;
  }

  /** Every tensor listed in the metadata, sorted by name. */
  get tensors(): CheckpointTensorInfo[] {
    return [...this.metaByName.values()]
      .map(({ name, dtype, shape }) => ({ name, dtype: dataTypeName(dtype), shape, numElements: elementCount(shape) }))
      .sort((a, b) => compareNames(a.name, b.name));
  }

  /** Reads one tensor and assembles it from its saved slices. */
  async read(name: string): Promise<CheckpointTensor> {
    if (this.isClosed) throw new Error(`TensorSliceReader.read: ${this.fileName} is closed; open the checkpoint again to read ${name}`);
    const meta = this.metaByName.get(name);
    const location = { fileName: this.fileName, tensorName: name };
    if (meta === undefined) throw new CheckpointError({ ...location, check: 'not-found', detail: 'no such tensor in the checkpoint' });
    const dtype = dataTypeName(meta.dtype);
    if (!isDecodedDType(dtype)) {
      throw new CheckpointError({ ...location, check: 'unsupported', detail: `dtype ${dtype} is not decoded; float, double, int32, int64, bool and string are` });
    }

    const parts = await this.readSlices(meta, dtype);
    const whole = parts.length === 1 && elementCount(sliceShape(meta.shape, parts[0].slice)) === elementCount(meta.shape);
    const values = whole ? parts[0].values : assembleSlices(location, dtype, meta.shape, parts);
    return { name, dtype, shape: meta.shape, values } as CheckpointTensor;
  }

  /** Closes the file; later reads fail. */
  async close(): Promise<void> {
    this.isClosed = true;
    await this.table.source.close();
  }

  private async readSlices<D extends CheckpointDType>(meta: SavedSliceMeta, dtype: D): Promise<SlicePart<D>[]> {
    const location = { fileName: this.fileName, tensorName: meta.name };
    const parts: SlicePart<D>[] = [];
    for (const slice of meta.slices) {
      const problem = sliceProblem(meta.shape, slice);
      if (problem !== undefined) throw new CheckpointError({ ...location, check: 'corrupt', detail: `${problem} of shape [${meta.shape.join(', ')}]` });

      const value = await this.table.get(encodeTensorNameSlice(meta.name, slice));
      if (value === undefined) throw new CheckpointError({ ...location, check: 'corrupt', detail: `slice ${formatSlice(slice)} has no entry` });
      const saved = decodeOrFail(this.fileName, () => decodeSavedTensorSlices(value).data, meta.name);
      if (saved?.data === undefined || saved.name !== meta.name) {
        throw new CheckpointError({ ...location, check: 'corrupt', detail: `the entry of slice ${formatSlice(slice)} contains no data for this tensor` });
      }
      const count = elementCount(sliceShape(meta.shape, slice));
      parts.push({ slice, values: decodeTensorProtoValues(dtype, saved.data, count, location) });
    }
    return parts;
  }
}

/** Orders names by UTF-16 code units, as `Array#sort` does for strings. */
function compareNames(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

function checkVersions(fileName: string, meta: SavedTensorSliceMeta): void {
  // Files written before versioning carry no VersionDef; TensorFlow reads them as producer 0.
  if (meta.versions === undefined) return;
  const { producer, minConsumer, badConsumers } = meta.versions;
  if (minConsumer > CHECKPOINT_CONSUMER_VERSION || badConsumers.includes(CHECKPOINT_CONSUMER_VERSION)) {
    throw new CheckpointError({ fileName, check: 'unsupported', detail: `checkpoint version (producer ${producer}, min consumer ${minConsumer}, bad consumers [${badConsumers.join(', ')}]) excludes reader version ${CHECKPOINT_CONSUMER_VERSION}` });
  }
}

function decodeOrFail<T>(fileName: string, decode: () => T, tensorName?: string): T {
  try {
    return decode();
  } catch (error) {
    throw new CheckpointError({ fileName, tensorName, check: 'corrupt', detail: 'a SavedTensorSlices value does not parse', cause: error });
  }
}
