/** Inserts an EXIF APP1 segment holding only the Orientation tag (big-endian TIFF) right after the JPEG's SOI. */
export function withExifOrientation(jpeg: Uint8Array, orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  // IFD0 at offset 8 with one entry: Orientation, SHORT, count 1.
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(1, 8);
  tiff.writeUInt16BE(0x0112, 10);
  tiff.writeUInt16BE(3, 12);
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt16BE(orientation, 18);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const segmentHeader = Buffer.alloc(4);
  segmentHeader.writeUInt16BE(0xffe1, 0);
  segmentHeader.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), segmentHeader, payload, jpeg.subarray(2)]);
}
