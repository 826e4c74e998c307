import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withExifOrientation } from '@inception/imaging/testing';
import { fixturePath } from '@inception/testing';
import sharp from 'sharp';

/** An image the import must keep, with how to check what it stored. */
export interface ExpectedImage {
  split: 'train' | 'validation';
  sourcePath: string;
  /** The file as written under the split root. */
  file: string;
  originalFormat: string;
  /** "none" for bytes kept as they are, else the conversion reason normalizeImage gives. */
  conversion: string;
  exifOrientation?: number;
  /** Image whose decoded pixels the stored JPEG must match, and the largest mean absolute error allowed. */
  pixelsLike?: { file: string; maxMeanAbsoluteError: number };
}

export interface ExpectedSkip {
  split: 'train' | 'validation';
  sourcePath: string;
  reason: string;
}

export interface MessyDataset {
  train: string;
  validation: string;
  classes: string[];
  images: ExpectedImage[];
  skipped: ExpectedSkip[];
}

/** Pixel limit and file-size limit the messy dataset is built against. */
export const MESSY_MAX_IMAGE_PIXELS = 2_000_000;
export const MESSY_MAX_FILE_BYTES = 600_000;

export const DAISY = 'daisy';
export const GRACE = 'grace hopper [1]';
export const ROSES = 'розы 薔薇';

/**
 * Encodes 8-bit grey pixels as a BMP with RLE8 compression (BI_RLE8), which the normaliser does
 * not decode: every row is literal runs of up to 255 pixels, then an end-of-line code.
 */
export function rle8Bmp(grey: Uint8Array, width: number, height: number): Buffer {
  const rows: Buffer[] = [];
  // BMP rows run bottom-up.
  for (let y = height - 1; y >= 0; y -= 1) {
    for (let x = 0; x < width; x += 255) {
      const run = grey.subarray(y * width + x, y * width + Math.min(width, x + 255));
      const padding = run.length % 2;
      if (run.length >= 3) rows.push(Buffer.from([0, run.length]), Buffer.from(run), Buffer.alloc(padding));
      else for (const value of run) rows.push(Buffer.from([1, value]));
    }
    rows.push(Buffer.from([0, 0]));
  }
  rows.push(Buffer.from([0, 1]));
  const pixels = Buffer.concat(rows);

  const palette = Buffer.alloc(256 * 4);
  for (let level = 0; level < 256; level += 1) palette.fill(level, level * 4, level * 4 + 3);
  const header = Buffer.alloc(14 + 40);
  header.write('BM', 0, 'latin1');
  header.writeUInt32LE(header.length + palette.length + pixels.length, 2);
  header.writeUInt32LE(header.length + palette.length, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(width, 18);
  header.writeInt32LE(height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(8, 28);
  header.writeUInt32LE(1, 30);
  header.writeUInt32LE(pixels.length, 34);
  header.writeUInt32LE(256, 46);
  return Buffer.concat([header, palette, pixels]);
}

/**
 * Writes train/ and validation/ roots of class folders made from real photos. They contain every
 * kind of file a real folder collects: PNG, WebP, CMYK and grayscale images to convert, a JPEG
 * with an EXIF orientation, and truncated, corrupt and empty files. There is also an RLE BMP, a
 * text file, an image above MESSY_MAX_IMAGE_PIXELS, a file above MESSY_MAX_FILE_BYTES, hidden
 * files, a sub-folder and a dangling link. Names have spaces, brackets and non-Latin letters.
 */
export async function buildMessyDataset(root: string): Promise<MessyDataset> {
  const train = path.join(root, 'train');
  const validation = path.join(root, 'validation');
  const images: ExpectedImage[] = [];
  const skipped: ExpectedSkip[] = [];
  const daisy = await readFile(fixturePath('tfjs-examples/daisy-pexels-image05.jpg'));
  const grace = await readFile(fixturePath('tensorflow/jpeg/grace_hopper.jpg'));
  const small = await readFile(fixturePath('tensorflow/jpeg/small.jpg'));
  const merge = await readFile(fixturePath('tensorflow/jpeg/jpeg_merge_test1.jpg'));

  const put = async (split: 'train' | 'validation', className: string, name: string, bytes: Buffer) => {
    const folder = path.join(split === 'train' ? train : validation, className);
    await mkdir(folder, { recursive: true });
    const file = path.join(folder, name);
    await writeFile(file, bytes);
    return { file, sourcePath: `${className}/${name}` };
  };
  const keep = async (split: 'train' | 'validation', className: string, name: string, bytes: Buffer, expected: Omit<ExpectedImage, 'split' | 'sourcePath' | 'file'>) => {
    images.push({ split, ...(await put(split, className, name, bytes)), ...expected });
  };
  const skip = async (split: 'train' | 'validation', className: string, name: string, bytes: Buffer, reason: string) => {
    skipped.push({ split, sourcePath: (await put(split, className, name, bytes)).sourcePath, reason });
  };

  await keep('train', DAISY, 'daisy.jpg', daisy, { originalFormat: 'jpeg', conversion: 'none' });
  await keep('train', DAISY, 'daisy rotated (6).jpg', withExifOrientation(daisy, 6), { originalFormat: 'jpeg', conversion: 'none', exifOrientation: 6 });
  const daisyPng = await put('train', DAISY, 'daisy.png', await sharp(daisy).png().toBuffer());
  images.push({ split: 'train', ...daisyPng, originalFormat: 'png', conversion: 'not-jpeg', pixelsLike: { file: daisyPng.file, maxMeanAbsoluteError: 2 } });
  await skip('train', DAISY, '.DS_Store', Buffer.from('Bud1\0\0\0\x01', 'latin1'), 'hidden-file');
  await skip('train', DAISY, '._daisy.jpg', Buffer.from('\0\x05\x16\x07\0\x02\0\0Mac OS X', 'latin1'), 'hidden-file');
  await skip('train', DAISY, 'Thumbs.db', Buffer.from('\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1', 'latin1'), 'hidden-file');
  await skip('train', DAISY, 'README.txt', Buffer.from('Photos by Pexels, see LICENSE.\n'), 'not-an-image');
  await skip('train', DAISY, 'empty.jpg', Buffer.alloc(0), 'empty');
  await mkdir(path.join(train, DAISY, 'more'), { recursive: true });
  await writeFile(path.join(train, DAISY, 'more', 'daisy.jpg'), daisy);
  skipped.push({ split: 'train', sourcePath: `${DAISY}/more`, reason: 'nested-folder' });
  await symlink(path.join(root, 'does-not-exist.jpg'), path.join(train, DAISY, 'missing.jpg'));
  skipped.push({ split: 'train', sourcePath: `${DAISY}/missing.jpg`, reason: 'not-a-file' });

  await keep('train', GRACE, 'grace_hopper.jpg', grace, { originalFormat: 'jpeg', conversion: 'none' });
  await keep('train', GRACE, 'grace (copy) ü.jpg', small, { originalFormat: 'jpeg', conversion: 'none' });
  await skip('train', GRACE, 'truncated.jpg', grace.subarray(0, Math.floor(grace.length / 2)), 'truncated');
  await skip('train', GRACE, 'corrupt.jpg', await readFile(fixturePath('tensorflow/jpeg/corrupt.jpg')), 'corrupt');
  await skip('train', GRACE, 'poster.jpg', await sharp(grace).resize(2000, 1500, { fit: 'fill' }).jpeg({ quality: 80 }).toBuffer(), 'too-many-pixels');
  await skip('train', GRACE, 'scan.tif', await sharp(grace).tiff({ compression: 'none' }).toBuffer(), 'file-too-large');
  const smallGrey = await sharp(small).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  await skip('train', GRACE, 'scan (rle).bmp', rle8Bmp(smallGrey.data, smallGrey.info.width, smallGrey.info.height), 'unsupported');

  const cmyk = fixturePath('tensorflow/jpeg/jpeg_merge_test1_cmyk.jpg');
  await keep('train', ROSES, 'cmyk.jpg', await readFile(cmyk), {
    originalFormat: 'jpeg',
    conversion: 'cmyk-jpeg',
    pixelsLike: { file: fixturePath('tensorflow/jpeg/jpeg_merge_test1.jpg'), maxMeanAbsoluteError: 4 },
  });
  const gray = await put('train', ROSES, 'gray.jpg', await sharp(small).toColourspace('b-w').jpeg({ quality: 95 }).toBuffer());
  images.push({ split: 'train', ...gray, originalFormat: 'jpeg', conversion: 'grayscale-jpeg', pixelsLike: { file: gray.file, maxMeanAbsoluteError: 2 } });
  await keep('train', ROSES, 'merge.jpg', merge, { originalFormat: 'jpeg', conversion: 'none' });

  await keep('validation', DAISY, 'daisy-val.jpg', await sharp(daisy).extract({ left: 10, top: 10, width: 200, height: 150 }).jpeg({ quality: 90 }).toBuffer(), { originalFormat: 'jpeg', conversion: 'none' });
  await keep('validation', GRACE, 'grace-val.jpg', await sharp(grace).resize(240).jpeg({ quality: 90 }).toBuffer(), { originalFormat: 'jpeg', conversion: 'none' });
  const webp = await put('validation', ROSES, 'merge.webp', await sharp(merge).webp({ quality: 90 }).toBuffer());
  images.push({ split: 'validation', ...webp, originalFormat: 'webp', conversion: 'not-jpeg', pixelsLike: { file: webp.file, maxMeanAbsoluteError: 2 } });
  await skip('validation', ROSES, '._merge.webp', Buffer.from('\0\x05\x16\x07', 'latin1'), 'hidden-file');
  await writeFile(path.join(validation, '.DS_Store'), Buffer.from('Bud1', 'latin1'));

  return { train, validation, classes: [DAISY, GRACE, ROSES].sort(), images, skipped };
}
