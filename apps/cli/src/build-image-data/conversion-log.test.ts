import type { NormalizedImage } from '@inception/imaging';
import { describe, expect, it } from 'vitest';

import { CONVERTING_LINES_PER_KIND, ConversionLog } from './conversion-log.js';

function converted(conversionReason: NormalizedImage['conversionReason'], originalFormat = 'jpeg'): NormalizedImage {
  return { conversionReason, originalFormat, conversion: 'to-rgb-jpeg' } as NormalizedImage;
}

describe('ConversionLog', () => {
  it('lists the first files of each kind', () => {
    const lines: string[] = [];
    const log = new ConversionLog((line) => lines.push(line));

    log.record(converted('not-jpeg', 'png'), 'a/1.png');
    log.record(converted('grayscale-jpeg'), 'a/2.jpg');
    log.record(converted('cmyk-jpeg'), 'a/3.jpg');

    expect(lines).toEqual(['Converting PNG to JPEG for a/1.png', 'Converting grayscale to RGB for a/2.jpg', 'Converting CMYK to RGB for a/3.jpg']);
    expect(log.summaryLines()).toEqual([]);
  });

  it('counts files past the limit', () => {
    const lines: string[] = [];
    const log = new ConversionLog((line) => lines.push(line));

    for (let i = 0; i < 800; i++) log.record(converted('grayscale-jpeg'), `gray/${i}.jpg`);
    log.record(converted('not-jpeg', 'gif'), 'other/0.gif');

    expect(lines).toHaveLength(CONVERTING_LINES_PER_KIND + 2);
    expect(lines.slice(0, CONVERTING_LINES_PER_KIND)).toEqual([0, 1, 2, 3, 4].map((i) => `Converting grayscale to RGB for gray/${i}.jpg`));
    expect(lines[CONVERTING_LINES_PER_KIND]).toBe('Converting grayscale to RGB for more files: these are counted at the end of the split, not listed');
    expect(lines.at(-1)).toBe('Converting GIF to JPEG for other/0.gif');
    expect(log.summaryLines()).toEqual(['Converted grayscale to RGB: 800 images in total, 795 of them not listed above']);
  });
});
