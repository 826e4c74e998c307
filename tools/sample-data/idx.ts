import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

/** Element types of the IDX format, keyed by the type byte of the magic number. */
const IDX_TYPES = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
} as const;

export type IdxDataType = (typeof IDX_TYPES)[keyof typeof IDX_TYPES]['name'];

/** A parsed IDX array: its shape and its elements in row-major order. */
export interface IdxArray {
  dataType: IdxDataType;
  dimensions: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Parses an IDX file (the MNIST container): two zero bytes, a type byte, the number of
 * dimensions, each dimension as a big-endian uint32, then the big-endian elements.
 * Throws an Error naming `sourceName` when the header or the length is invalid.
 */
export function parseIdx(bytes: Uint8Array, sourceName = 'IDX data'): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${sourceName}: invalid IDX magic number, expected two zero bytes then a type byte`);
  }
  const typeByte = bytes[2] as keyof typeof IDX_TYPES;
  const type = IDX_TYPES[typeByte];
  if (type === undefined) {
    throw new Error(`${sourceName}: unknown IDX element type 0x${bytes[2].toString(16)}`);
  }
  const dimensionCount = bytes[3];
  const headerBytes = 4 + 4 * dimensionCount;
  if (bytes.length < headerBytes) {
    throw new Error(`${sourceName}: file of ${bytes.length} bytes ends inside its ${dimensionCount}-dimension header`);
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dimensions = Array.from({ length: dimensionCount }, (_, index) => view.getUint32(4 + 4 * index));
  const elementCount = dimensions.reduce((product, size) => product * size, 1);
  const expectedBytes = headerBytes + elementCount * type.bytes;
  if (bytes.length !== expectedBytes) {
    throw new Error(
      `${sourceName}: shape [${dimensions.join(', ')}] of ${type.name} needs ${expectedBytes} bytes but the file has ${bytes.length}`,
    );
  }

  return { dataType: type.name, dimensions, data: readElements(view, headerBytes, elementCount, type.name) };
}

function readElements(view: DataView, offset: number, count: number, dataType: IdxDataType): IdxArray['data'] {
  switch (dataType) {
    case 'uint8':
      return new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
    case 'int8':
      return new Int8Array(view.buffer, view.byteOffset + offset, count).slice();
    case 'int16':
      return Int16Array.from({ length: count }, (_, index) => view.getInt16(offset + 2 * index));
    case 'int32':
      return Int32Array.from({ length: count }, (_, index) => view.getInt32(offset + 4 * index));
    case 'float32':
      return Float32Array.from({ length: count }, (_, index) => view.getFloat32(offset + 4 * index));
    case 'float64':
      return Float64Array.from({ length: count }, (_, index) => view.getFloat64(offset + 8 * index));
  }
}

/** Reads and parses an IDX file, gunzipping it first when it starts with the gzip magic bytes. */
export async function readIdxFile(filePath: string): Promise<IdxArray> {
  const raw = await readFile(filePath);
  const isGzip = raw[0] === GZIP_MAGIC[0] && raw[1] === GZIP_MAGIC[1];
  return parseIdx(isGzip ? gunzipSync(raw) : raw, filePath);
}
