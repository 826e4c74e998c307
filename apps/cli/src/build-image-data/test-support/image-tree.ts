import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { fixturePath, readExpected } from '@inception/testing';
import sharp from 'sharp';

/** One input file and the record expected from it. */
export interface TreeFile {
  split: 'train' | 'validation';
  className: string;
  name: string;
  path: string;
  /** Absent for files that must be skipped. */
  expected?: {
    width: number;
    height: number;
    /** SHA-256 of the stored bytes when they must equal the source file, else undefined (converted). */
    keptSha256?: string;
    convertedFrom?: 'png' | 'grayscale' | 'cmyk';
  };
}

export interface ImageTree {
  trainDirectory: string;
  validationDirectory: string;
  labelsFile: string;
  /** Class names in labels-file order. */
  classNames: string[];
  files: TreeFile[];
}

interface JpegFixture {
  width: number;
  height: number;
  sha256: string;
}

const JPEGS = {
  daisy: 'tfjs-examples/daisy-pexels-image05.jpg',
  small: 'tensorflow/jpeg/small.jpg',
  hopper: 'tensorflow/jpeg/grace_hopper.jpg',
  merge: 'tensorflow/jpeg/jpeg_merge_test1.jpg',
  cmyk: 'tensorflow/jpeg/jpeg_merge_test1_cmyk.jpg',
  corrupt: 'tensorflow/jpeg/corrupt.jpg',
};

/**
 * Builds `<root>/{train,validation}/<class>/<image>` from real images: RGB JPEGs (one
 * progressive), a PNG and a grayscale JPEG made with sharp, the CMYK fixture, a corrupt JPEG and a
 * zero-byte file. The labels file has CRLF line ends, a blank line and padded names.
 */
export async function buildImageTree(root: string): Promise<ImageTree> {
  const files: TreeFile[] = [];
  const add = async (split: TreeFile['split'], className: string, name: string, bytes: Uint8Array, expected?: TreeFile['expected']) => {
    const folder = path.join(root, split, className);
    await mkdir(folder, { recursive: true });
    const filePath = path.join(folder, name);
    await writeFile(filePath, bytes);
    files.push({ split, className, name, path: filePath, expected });
  };
  const addKeptJpeg = async (split: TreeFile['split'], className: string, name: string, fixture: string) => {
    const info = readExpected<JpegFixture>(fixture);
    await add(split, className, name, await readFile(fixturePath(fixture)), { width: info.width, height: info.height, keptSha256: info.sha256 });
  };

  const small = readExpected<JpegFixture>(JPEGS.small);
  const hopper = readExpected<JpegFixture>(JPEGS.hopper);
  const cmyk = readExpected<JpegFixture>(JPEGS.cmyk);
  const png = await sharp(fixturePath(JPEGS.small)).png().toBuffer();
  // `grayscale()` alone still writes three channels; the b-w colour space makes a 1-channel JPEG.
  const grayscale = await sharp(fixturePath(JPEGS.hopper)).toColourspace('b-w').jpeg({ quality: 90 }).toBuffer();

  await addKeptJpeg('train', 'daisy', 'daisy-pexels-image05.jpg', JPEGS.daisy);
  await addKeptJpeg('train', 'daisy', 'small.jpg', JPEGS.small);
  await add('train', 'daisy', 'small-as.png', png, { width: small.width, height: small.height, convertedFrom: 'png' });
  await addKeptJpeg('train', 'portrait', 'grace_hopper.jpg', JPEGS.hopper);
  await add('train', 'portrait', 'hopper-gray.jpg', grayscale, { width: hopper.width, height: hopper.height, convertedFrom: 'grayscale' });
  await add('train', 'portrait', 'corrupt.jpg', await readFile(fixturePath(JPEGS.corrupt)));
  await add('train', 'portrait', 'empty.jpg', new Uint8Array(0));
  await addKeptJpeg('train', 'merge', 'jpeg_merge_test1.jpg', JPEGS.merge);
  await add('train', 'merge', 'jpeg_merge_test1_cmyk.jpg', await readFile(fixturePath(JPEGS.cmyk)), {
    width: cmyk.width,
    height: cmyk.height,
    convertedFrom: 'cmyk',
  });

  await addKeptJpeg('validation', 'daisy', 'small.jpg', JPEGS.small);
  await addKeptJpeg('validation', 'portrait', 'grace_hopper.jpg', JPEGS.hopper);
  await addKeptJpeg('validation', 'merge', 'jpeg_merge_test1.jpg', JPEGS.merge);
  await add('validation', 'merge', 'jpeg_merge_test1_cmyk.jpg', await readFile(fixturePath(JPEGS.cmyk)), {
    width: cmyk.width,
    height: cmyk.height,
    convertedFrom: 'cmyk',
  });

  const labelsFile = path.join(root, 'labels.txt');
  await writeFile(labelsFile, 'daisy\r\n\r\n  portrait \r\nmerge\r\n');
  return {
    trainDirectory: path.join(root, 'train'),
    validationDirectory: path.join(root, 'validation'),
    labelsFile,
    classNames: ['daisy', 'portrait', 'merge'],
    files,
  };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
