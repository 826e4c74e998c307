import { describe, expect, it } from 'vitest';

import { finishedLine, formatSpacings, launchingLine, pythonTimestamp } from './console-lines.js';

describe('pythonTimestamp', () => {
  it('formats microseconds like Python', () => {
    const epochMicroseconds = new Date(2016, 2, 1, 9, 5, 7, 123).getTime() * 1000 + 456;
    expect(pythonTimestamp(epochMicroseconds)).toBe('2016-03-01 09:05:07.123456');
  });

  it('pads small microseconds', () => {
    const epochMicroseconds = new Date(2016, 11, 31, 23, 59, 59, 0).getTime() * 1000 + 42;
    expect(pythonTimestamp(epochMicroseconds)).toBe('2016-12-31 23:59:59.000042');
  });

  it('omits zero microseconds', () => {
    const epochMicroseconds = new Date(2016, 0, 2, 3, 4, 5, 0).getTime() * 1000;
    expect(pythonTimestamp(epochMicroseconds)).toBe('2016-01-02 03:04:05');
  });
});

describe('console lines', () => {
  it('formats spacings as a Python list', () => {
    expect(formatSpacings([[0, 1585], [1585, 3170]])).toBe('[[0, 1585], [1585, 3170]]');
  });

  it('prints the Flowers launch line', () => {
    expect(launchingLine(2, [[0, 1585], [1585, 3170]])).toBe('Launching 2 threads for spacings: [[0, 1585], [1585, 3170]]');
  });

  it('prints the final line', () => {
    expect(finishedLine('2016-03-01 09:05:07.123456', 3170)).toBe('2016-03-01 09:05:07.123456: Finished writing all 3170 images in data set.');
  });
});
