import { describe, expect, it } from 'vitest';

import { decayStepsOf, learningRateAt } from './schedule.js';

const FLOWERS = { examplesPerEpoch: 3170, batchSize: 32 };
const IMAGENET = { examplesPerEpoch: 1_281_167, batchSize: 32 };

describe('decayStepsOf', () => {
  it.each([
    [FLOWERS, 2971],
    [IMAGENET, 1_201_094],
    [{ examplesPerEpoch: 1_281_167, batchSize: 256 }, 150_136],
    [{ examplesPerEpoch: 3170, batchSize: 16, numEpochsPerDecay: 10 }, 1981],
  ])('truncates examples / batch · epochs for %o', (options, decaySteps) => {
    expect(decayStepsOf(options)).toBe(decaySteps);
  });

  it('rejects a schedule that decays every step', () => {
    expect(() => decayStepsOf({ examplesPerEpoch: 10, batchSize: 32, numEpochsPerDecay: 1 })).toThrow(
      'decay steps int(10 / 32 · 1) = 0 is below 1',
    );
  });

  it('rejects a batch size of 0', () => {
    expect(() => decayStepsOf({ examplesPerEpoch: 10, batchSize: 0 })).toThrow('batchSize 0 is invalid');
  });
});

describe('learningRateAt', () => {
  it('keeps the initial rate until the first decay', () => {
    expect(learningRateAt(0, FLOWERS)).toBe(0.1);
    expect(learningRateAt(2970, FLOWERS)).toBe(0.1);
  });

  it('multiplies by 0.16 at each decay step', () => {
    expect(learningRateAt(2971, FLOWERS)).toBeCloseTo(0.016, 12);
    expect(learningRateAt(2 * 2971 - 1, FLOWERS)).toBeCloseTo(0.016, 12);
    expect(learningRateAt(2 * 2971, FLOWERS)).toBeCloseTo(0.00256, 12);
    expect(learningRateAt(1_201_094, IMAGENET)).toBeCloseTo(0.016, 12);
    expect(learningRateAt(1_201_093, IMAGENET)).toBe(0.1);
  });

  it('uses the fine-tune options', () => {
    const fineTune = { ...FLOWERS, initialLearningRate: 0.001 };

    expect(learningRateAt(1999, fineTune)).toBe(0.001);
    expect(learningRateAt(3000, { ...fineTune, decayFactor: 0.5 })).toBe(0.0005);
  });

  it('rejects a negative step', () => {
    expect(() => learningRateAt(-1, FLOWERS)).toThrow('step -1 is invalid');
  });
});
