import type { Split } from '@inception/storage';
import { pythonShuffle } from '@inception/tfrecord';
import { compareCodePoints, type SourceFile } from '../sources/types.js';
import { ImportError } from './errors.js';

/** Seed of build_image_data.py's shuffle, used when a policy names none. */
export const DEFAULT_SPLIT_SEED = 12345;

/** Rule that divides one root of class folders into training and validation files. */
export type SplitPolicy =
  | { validationImagesPerClass: number; seed: number }
  | { validationFraction: number; seed: number };

export interface AssignedFile {
  split: Split;
  file: SourceFile;
}

/** Throws INVALID_ARGUMENT naming the field unless the policy's numbers are usable. */
export function validateSplitPolicy(policy: SplitPolicy): void {
  if ('validationFraction' in policy) {
    const fraction = policy.validationFraction;
    if (!Number.isFinite(fraction) || fraction < 0 || fraction >= 1) {
      throw new ImportError('invalid-argument', `split.validation_fraction must be at least 0 and below 1, got ${fraction}`);
    }
  } else if (!Number.isSafeInteger(policy.validationImagesPerClass) || policy.validationImagesPerClass < 0) {
    throw new ImportError('invalid-argument', `split.validation_images_per_class must be a whole number, got ${policy.validationImagesPerClass}`);
  }
  if (!Number.isSafeInteger(policy.seed) || policy.seed < 0) {
    throw new ImportError('invalid-argument', `split.seed must be a non-negative whole number below 2^53, got ${policy.seed}`);
  }
}

function validationCount(policy: SplitPolicy, className: string, fileCount: number): number {
  const count = 'validationFraction' in policy ? Math.round(fileCount * policy.validationFraction) : policy.validationImagesPerClass;
  if (count > 0 && count >= fileCount) {
    const setting = 'validationFraction' in policy ? `split.validation_fraction ${policy.validationFraction}` : `split.validation_images_per_class ${count}`;
    throw new ImportError('invalid-argument', `class "${className}" has ${fileCount} files, so ${setting} would leave none for training`);
  }
  return count;
}

/**
 * Divides each class's files into training and validation files. The file names of a class are
 * sorted by code point and shuffled with CPython's `random.shuffle` after `random.seed(seed)`,
 * and the first files of the shuffled list become validation files, so the same files and seed
 * always give the same split. Every class is shuffled with the same seed. Skipped files are
 * only found later, so a class may end up with fewer validation images than requested, as in
 * the Flowers recipe, which moves 100 files per class before conversion.
 */
export function assignSplits(files: SourceFile[], policy: SplitPolicy): AssignedFile[] {
  const byClass = new Map<string, SourceFile[]>();
  for (const file of files) {
    const list = byClass.get(file.className) ?? [];
    list.push(file);
    byClass.set(file.className, list);
  }

  const assigned: AssignedFile[] = [];
  for (const [className, classFiles] of byClass) {
    const sorted = [...classFiles].sort((a, b) => compareCodePoints(a.relativePath, b.relativePath));
    const count = validationCount(policy, className, sorted.length);
    const shuffled = pythonShuffle(sorted, policy.seed);
    for (const [index, file] of shuffled.entries()) {
      assigned.push({ split: index < count ? 'validation' : 'train', file });
    }
  }
  return assigned;
}
