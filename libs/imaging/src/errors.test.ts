import { describe, expect, it } from 'vitest';
import { GENERIC_FAIL_ON_MESSAGE, isGenericFailOnError, rejectionFromSharpError } from './errors.js';

// sharp's generic failOn text appears only when another sharp call clears libvips' shared error
// buffer at the wrong moment, which no test can arrange, so these errors are built by hand.
const JPEG_WITH_END_MARKER = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);

describe('rejectionFromSharpError', () => {
  it('prefers the libvips warning to the generic line', () => {
    const error = new Error(`${GENERIC_FAIL_ON_MESSAGE}\nVipsJpeg: Corrupt JPEG data: bad Huffman code`);

    const rejection = rejectionFromSharpError(error, JPEG_WITH_END_MARKER, 'jpeg');

    expect(rejection.reason).toBe('corrupt');
    expect(rejection.message).toBe('JPEG decoding failed: VipsJpeg: Corrupt JPEG data: bad Huffman code');
  });

  it('keeps the generic line when it is all there is', () => {
    const rejection = rejectionFromSharpError(new Error(GENERIC_FAIL_ON_MESSAGE), JPEG_WITH_END_MARKER, 'jpeg');

    expect(rejection.message).toBe(`JPEG decoding failed: ${GENERIC_FAIL_ON_MESSAGE}`);
  });
});

describe('isGenericFailOnError', () => {
  it.each([
    [GENERIC_FAIL_ON_MESSAGE, true],
    [`${GENERIC_FAIL_ON_MESSAGE}\n`, true],
    [`${GENERIC_FAIL_ON_MESSAGE}\nVipsJpeg: Premature end of JPEG file`, false],
    ['VipsJpeg: Corrupt JPEG data: bad Huffman code', false],
  ])('tells %j apart', (message, generic) => {
    expect(isGenericFailOnError(new Error(message))).toBe(generic);
  });
});
