const ORIENTATION_TAG = 0x0112;
const SHORT_TYPE = 3;
const START_OF_SCAN = 0xda;
const END_OF_IMAGE = 0xd9;
const APP1 = 0xe1;
const EXIF_HEADER = 'Exif\0\0';
/** Start-of-frame markers: 0xc0–0xcf except DHT (0xc4), JPG (0xc8) and DAC (0xcc). */
const NOT_FRAME_MARKERS = new Set([0xc4, 0xc8, 0xcc]);

/** The frame header (SOFn segment) of a JPEG. */
export interface JpegFrame {
  /** The SOFn marker: 0xc0 baseline, 0xc1 extended sequential, 0xc2 progressive, others rare. */
  marker: number;
  /** Bits per sample: 8 in nearly every JPEG, 12 in some medical and camera images. */
  precision: number;
  width: number;
  height: number;
  /** Colour components: 1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK. */
  components: number;
}

/** Facts from the segments before the image data. */
export interface JpegHeader {
  /** Absent when no complete frame header comes before the first scan. */
  frame?: JpegFrame;
  /** EXIF Orientation tag (1–8), when present. */
  exifOrientation?: number;
}

/**
 * Reads the frame header and the EXIF Orientation tag of a JPEG from the segments before its
 * first start-of-scan marker, without decoding anything. Reading stops quietly at the first
 * malformed segment, keeping what was found before it: these facts are hints that a decoder
 * later confirms.
 */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  const header: JpegHeader = {};
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return header;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return header;
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      // Fill byte before a marker.
      offset += 1;
      continue;
    }
    if (marker === START_OF_SCAN || marker === END_OF_IMAGE) return header;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    const segmentBytes = view.getUint16(offset + 2);
    const segmentStart = offset + 4;
    const segmentEnd = offset + 2 + segmentBytes;
    if (segmentBytes < 2 || segmentEnd > bytes.length) return header;

    if (marker === APP1 && header.exifOrientation === undefined && Buffer.from(bytes.buffer, bytes.byteOffset + segmentStart, Math.min(6, segmentEnd - segmentStart)).toString('latin1') === EXIF_HEADER) {
      const orientation = tiffOrientation(view, segmentStart + 6, segmentEnd);
      if (orientation !== undefined) header.exifOrientation = orientation;
    } else if (marker >= 0xc0 && marker <= 0xcf && !NOT_FRAME_MARKERS.has(marker) && header.frame === undefined && segmentStart + 6 <= segmentEnd) {
      header.frame = {
        marker,
        precision: bytes[segmentStart],
        height: view.getUint16(segmentStart + 1),
        width: view.getUint16(segmentStart + 3),
        components: bytes[segmentStart + 5],
      };
    }
    offset = segmentEnd;
  }
  return header;
}

/**
 * Reads the EXIF Orientation tag (1–8) from a JPEG's APP1 segment, or returns undefined when the
 * JPEG has no such tag or the segments before it are malformed.
 */
export function jpegExifOrientation(bytes: Uint8Array): number | undefined {
  return readJpegHeader(bytes).exifOrientation;
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
