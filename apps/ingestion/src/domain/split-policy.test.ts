import { describe, expect, it } from 'vitest';
import type { SourceFile } from '../sources/types.js';
import { ImportError } from './errors.js';
import { assignSplits, validateSplitPolicy, type SplitPolicy } from './split-policy.js';

function files(className: string, names: string[]): SourceFile[] {
  return names.map((name) => ({ className, relativePath: `${className}/${name}`, sizeBytes: 1, read: async () => new Uint8Array() }));
}

function validationPaths(assigned: ReturnType<typeof assignSplits>): string[] {
  return assigned.filter((entry) => entry.split === 'validation').map((entry) => entry.file.relativePath);
}

const TEN = Array.from({ length: 10 }, (_, index) => `img_${String(index).padStart(2, '0')}.jpg`);

describe('assignSplits', () => {
  // Expected values from CPython 3: random.seed(12345); random.shuffle(sorted(names)); names[:3].
  it('matches CPython shuffle for seed 12345', () => {
    const assigned = assignSplits(files('roses', TEN), { validationImagesPerClass: 3, seed: 12345 });
    expect(validationPaths(assigned)).toEqual(['roses/img_08.jpg', 'roses/img_07.jpg', 'roses/img_03.jpg']);
  });

  it('ignores the listing order', () => {
    const policy = { validationImagesPerClass: 3, seed: 12345 };
    const forward = validationPaths(assignSplits(files('roses', TEN), policy));
    const backward = validationPaths(assignSplits(files('roses', [...TEN].reverse()), policy));
    expect(backward).toEqual(forward);
  });

  it('shuffles each class with the seed', () => {
    const names = Array.from({ length: 7 }, (_, index) => `b${index}.jpg`);
    const assigned = assignSplits([...files('daisy', TEN), ...files('tulips', names)], { validationImagesPerClass: 2, seed: 7 });
    expect(validationPaths(assigned).filter((entry) => entry.startsWith('tulips/'))).toEqual(['tulips/b5.jpg', 'tulips/b6.jpg']);
    expect(validationPaths(assigned).filter((entry) => entry.startsWith('daisy/'))).toHaveLength(2);
  });

  it('rounds a fraction per class', () => {
    const assigned = assignSplits([...files('daisy', TEN), ...files('tulips', TEN.slice(0, 5))], { validationFraction: 0.25, seed: 1 });
    expect(validationPaths(assigned).filter((entry) => entry.startsWith('daisy/'))).toHaveLength(3);
    expect(validationPaths(assigned).filter((entry) => entry.startsWith('tulips/'))).toHaveLength(1);
  });

  it('keeps every file exactly once', () => {
    const assigned = assignSplits(files('daisy', TEN), { validationFraction: 0.5, seed: 3 });
    expect(assigned.map((entry) => entry.file.relativePath).sort()).toEqual(TEN.map((name) => `daisy/${name}`));
  });

  it('rejects a count leaving no training files', () => {
    const run = () => assignSplits(files('daisy', TEN.slice(0, 4)), { validationImagesPerClass: 4, seed: 1 });
    expect(run).toThrow(ImportError);
    expect(run).toThrow('class "daisy" has 4 files, so split.validation_images_per_class 4 would leave none for training');
  });
});

describe('validateSplitPolicy', () => {
  it.each<[string, SplitPolicy, string]>([
    ['a fraction of 1', { validationFraction: 1, seed: 1 }, 'validation_fraction'],
    ['a negative fraction', { validationFraction: -0.1, seed: 1 }, 'validation_fraction'],
    ['a seed above 2^53', { validationImagesPerClass: 1, seed: 2 ** 54 }, 'seed'],
  ])('rejects %s', (_case, policy, field) => {
    expect(() => validateSplitPolicy(policy)).toThrow(field);
  });
});
