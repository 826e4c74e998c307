import { describe, expect, it } from 'vitest';

import { mapTensors } from './map-tensors.js';

const identity = (name: string) => ({ name });
const expected = [
  { name: 'fc/weights', shape: [4, 3] },
  { name: 'fc/biases', shape: [3] },
];

describe('mapTensors', () => {
  it('keeps extra fields of the tensors', () => {
    const tensors = [{ name: 'fc/biases', shape: [3], values: [1, 2, 3] }];

    const mapping = mapTensors(tensors, { expected }, identity);

    expect(mapping.mapped['fc/biases']).toEqual({ name: 'fc/biases', shape: [3], values: [1, 2, 3], sourceName: 'fc/biases' });
  });

  it('drops leading size-1 dimensions', () => {
    const mapping = mapTensors([{ name: 'k', shape: [1, 1, 4, 3] }], { expected }, () => ({ name: 'fc/weights', dropLeadingDimensions: 2 }));

    expect(mapping.mapped['fc/weights'].shape).toEqual([4, 3]);
  });

  it('reports leading dimensions above 1', () => {
    const mapping = mapTensors([{ name: 'k', shape: [3, 3, 4, 3] }], { expected }, () => ({ name: 'fc/weights', dropLeadingDimensions: 2 }));

    expect(mapping.shapeMismatches).toEqual([{ name: 'fc/weights', sourceName: 'k', expectedShape: [4, 3], checkpointShape: [3, 3, 4, 3] }]);
  });

  it('ignores shadows without useAverages', () => {
    const tensors = [{ name: 'fc/biases/ExponentialMovingAverage', shape: [3] }];

    const mapping = mapTensors(tensors, { expected }, identity);

    expect(mapping.unmapped).toEqual(['fc/biases/ExponentialMovingAverage']);
    expect(mapping.missing).toEqual(['fc/weights', 'fc/biases']);
  });

  it('ignores raw variables with useAverages', () => {
    const tensors = [
      { name: 'fc/biases', shape: [3] },
      { name: 'fc/biases/ExponentialMovingAverage', shape: [3] },
    ];

    const mapping = mapTensors(tensors, { expected, useAverages: true }, identity);

    expect(mapping.mapped['fc/biases'].sourceName).toBe('fc/biases/ExponentialMovingAverage');
    expect(mapping.unmapped).toEqual(['fc/biases']);
  });

  it('maps the first of two candidates', () => {
    const mapping = mapTensors([{ name: 'a', shape: [3] }, { name: 'b', shape: [3] }], { expected }, () => ({ name: 'fc/biases' }));

    expect(mapping.mapped['fc/biases'].sourceName).toBe('a');
    expect(mapping.unmapped).toEqual(['b']);
  });
});
