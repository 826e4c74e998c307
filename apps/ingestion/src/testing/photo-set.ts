import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fixturePath } from '@inception/testing';
import sharp from 'sharp';

/** Real photos the sets are cut from: a daisy, Grace Hopper and TensorFlow's JPEG test images. */
const PHOTOS = ['tfjs-examples/daisy-pexels-image05.jpg', 'tensorflow/jpeg/grace_hopper.jpg', 'tensorflow/jpeg/small.jpg', 'tensorflow/jpeg/jpeg_merge_test1.jpg'];

export interface PhotoSetOptions {
  classes: string[];
  perClass: number;
  /** Output size in pixels (default 500 × 375, the size of a typical flower_photos image). */
  width?: number;
  height?: number;
}

/**
 * Writes `<root>/<class>/photo-<n>.jpg` 3-channel JPEGs cut from the real photos and returns
 * their relative paths. Each image is a different crop window of a slightly enlarged photo at a
 * quality from 85 to 95, so no two files share their bytes and content-addressed storage keeps
 * every one.
 */
export async function writePhotoSet(root: string, options: PhotoSetOptions): Promise<string[]> {
  const width = options.width ?? 500;
  const height = options.height ?? 375;
  const photos = await Promise.all(PHOTOS.map((photo) => sharp(fixturePath(photo)).toColourspace('srgb').toBuffer()));
  const written: string[] = [];
  let index = 0;
  for (const className of options.classes) {
    await mkdir(path.join(root, className), { recursive: true });
    for (let number = 0; number < options.perClass; number += 1, index += 1) {
      const margin = 8 + (index % 89);
      const enlarged = sharp(photos[index % photos.length]).resize(width + margin, height + margin, { fit: 'cover' });
      const bytes = await enlarged
        .extract({ left: (index * 7) % margin, top: (index * 3) % margin, width, height })
        .jpeg({ quality: 85 + (index % 11) })
        .toBuffer();
      const relativePath = `${className}/photo-${String(number).padStart(4, '0')}.jpg`;
      await writeFile(path.join(root, relativePath), bytes);
      written.push(relativePath);
    }
  }
  return written;
}
