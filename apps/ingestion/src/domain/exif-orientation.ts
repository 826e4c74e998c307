const ORIENTATION_TAG = 0x0112;
const SHORT_TYPE = 3;
const START_OF_SCAN = 0xda;
const END_OF_IMAGE = 0xd9;
const APP1 = 0xe1;
const EXIF_HEADER = 'Exif\0\0';

/**
 * Reads the EXIF Orientation tag (1–8) from a JPEG's APP1 segment without decoding anything,
 * or returns undefined when the JPEG has no such tag. Only the segments before the first
 * start-of-scan marker are read, as EXIF must come before the image data. Malformed segments
 * return undefined rather than throwing, because orientation is recorded, never applied.
 */
export function jpegExifOrientation(bytes: Uint8Array): number | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      // Fill byte before a marker.
      offset += 1;
      continue;
    }
    if (marker === START_OF_SCAN || marker === END_OF_IMAGE) return undefined;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    const segmentBytes = view.getUint16(offset + 2);
    const segmentStart = offset + 4;
    const segmentEnd = offset + 2 + segmentBytes;
    if (segmentBytes < 2 || segmentEnd > bytes.length) return undefined;
    if (marker === APP1 && Buffer.from(bytes.buffer, bytes.byteOffset + segmentStart, Math.min(6, segmentEnd - segmentStart)).toString('latin1') === EXIF_HEADER) {
      return tiffOrientation(view, segmentStart + 6, segmentEnd);
    }
    offset = segmentEnd;
  }
  return undefined;
}

/** Reads the Orientation entry of IFD0 from a TIFF structure that spans [start, end) of `view`. */
function tiffOrientation(view: DataView, start: number, end: number): number | undefined {
  if (start + 8 > end) return undefined;
  const order = view.getUint16(start);
  if (order !== 0x4949 && order !== 0x4d4d) return undefined;
  const littleEndian = order === 0x4949;
  if (view.getUint16(start + 2, littleEndian) !== 42) return undefined;

  const ifd = start + view.getUint32(start + 4, littleEndian);
  if (ifd + 2 > end) return undefined;
  const entries = view.getUint16(ifd, littleEndian);
  for (let index = 0; index < entries; index += 1) {
    const entry = ifd + 2 + index * 12;
    if (entry + 12 > end) return undefined;
    if (view.getUint16(entry, littleEndian) !== ORIENTATION_TAG) continue;
    if (view.getUint16(entry + 2, littleEndian) !== SHORT_TYPE) return undefined;
    const orientation = view.getUint16(entry + 8, littleEndian);
    return orientation >= 1 && orientation <= 8 ? orientation : undefined;
  }
  return undefined;
}
