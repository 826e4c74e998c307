import { describe, expect, it } from 'vitest';

import { resolveInceptionV3Config, scaledDepth } from './config.js';

describe('resolveInceptionV3Config', () => {
  it('fills in the research/inception defaults', () => {
    const config = resolveInceptionV3Config({ numClasses: 1001 });

    expect(config).toEqual({
      numClasses: 1001,
      imageSize: 299,
      depthMultiplier: 1,
      minDepth: 16,
      auxLogits: true,
      dropoutKeepProb: 0.8,
      batchNormEpsilon: 0.001,
      batchNormDecay: 0.9997,
      weightDecay: 0.00004,
      stockLayers: false,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('keeps defaults for fields set to undefined', () => {
    expect(resolveInceptionV3Config({ numClasses: 6, imageSize: undefined }).imageSize).toBe(299);
  });

  it('accepts the minimum image sizes', () => {
    expect(resolveInceptionV3Config({ numClasses: 6, imageSize: 75, auxLogits: false }).imageSize).toBe(75);
    expect(resolveInceptionV3Config({ numClasses: 6, imageSize: 107 }).imageSize).toBe(107);
  });

  it.each([
    [{ imageSize: 74, auxLogits: false }, 'imageSize 74 is below the minimum 75'],
    [{ imageSize: 106 }, 'imageSize 106 is below the minimum 107 for the aux head'],
    [{ imageSize: 299.5 }, 'imageSize 299.5 is invalid. It must be an integer'],
    [{ numClasses: 1 }, 'numClasses 1 is below the minimum 2'],
    [{ numClasses: 2.5 }, 'numClasses 2.5 is invalid'],
    [{ depthMultiplier: 0 }, 'depthMultiplier 0 is invalid'],
    [{ depthMultiplier: Number.NaN }, 'depthMultiplier NaN is invalid'],
    [{ minDepth: 0 }, 'minDepth 0 is below the minimum 1'],
    [{ dropoutKeepProb: 0 }, 'dropoutKeepProb 0 is invalid'],
    [{ dropoutKeepProb: 1.2 }, 'dropoutKeepProb 1.2 is invalid'],
    [{ batchNormEpsilon: 0 }, 'batchNormEpsilon 0 is invalid'],
    [{ batchNormDecay: 1 }, 'batchNormDecay 1 is invalid'],
    [{ weightDecay: -1 }, 'weightDecay -1 is invalid'],
  ])('rejects %o', (overrides, message) => {
    expect(() => resolveInceptionV3Config({ numClasses: 6, ...overrides })).toThrow(message);
  });
});

describe('scaledDepth', () => {
  it('floors the scaled depth and applies the minimum', () => {
    const quarter = { depthMultiplier: 0.25, minDepth: 8 };

    expect(scaledDepth(192, quarter)).toBe(48);
    expect(scaledDepth(48, quarter)).toBe(12);
    expect(scaledDepth(32, quarter)).toBe(8);
    expect(scaledDepth(80, { depthMultiplier: 0.3, minDepth: 16 })).toBe(24);
    expect(scaledDepth(50, { depthMultiplier: 0.33, minDepth: 1 })).toBe(16);
  });
});
