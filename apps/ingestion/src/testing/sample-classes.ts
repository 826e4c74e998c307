import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '@inception/testing';

/** Classes of the bundled Fashion-MNIST sample used by the source tests. */
export const SAMPLE_CLASSES = ['bag', 'sandal', 'trouser'];

/**
 * Copies the first `perClass` training images of each sample class into `<target>/<class>/`
 * and returns the relative paths written, `<class>/<file>`.
 */
export async function copySampleClasses(target: string, perClass: number, classes = SAMPLE_CLASSES): Promise<string[]> {
  const written: string[] = [];
  for (const className of classes) {
    const source = path.join(repoRoot, 'data/samples/fashion-mnist/train', className);
    const files = (await readdir(source)).sort().slice(0, perClass);
    await mkdir(path.join(target, className), { recursive: true });
    for (const file of files) {
      await cp(path.join(source, file), path.join(target, className, file));
      written.push(`${className}/${file}`);
    }
  }
  return written;
}
