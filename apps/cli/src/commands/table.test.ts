import { describe, expect, it } from 'vitest';

import { formatTable, tableTime } from './table.js';

describe('formatTable', () => {
  it('pads columns to the widest cell', () => {
    const lines = formatTable(
      [{ header: 'name' }, { header: 'count', align: 'right' }, { header: 'source' }],
      [
        ['flowers@1', '3170', '/data/flower_photos.tgz'],
        ['mnist@12', '8', 's3://bucket/mnist'],
      ],
    );

    expect(lines).toEqual([
      'name       count  source',
      'flowers@1   3170  /data/flower_photos.tgz',
      'mnist@12       8  s3://bucket/mnist',
    ]);
  });

  it('prints the header alone without rows', () => {
    expect(formatTable([{ header: 'name' }, { header: 'count', align: 'right' }], [])).toEqual(['name  count']);
  });

  it('pads a right-aligned last column', () => {
    expect(formatTable([{ header: 'n', align: 'right' }], [['100']])).toEqual(['  n', '100']);
  });
});

describe('tableTime', () => {
  it('drops milliseconds', () => {
    expect(tableTime(new Date('2026-12-05T03:41:28.987Z'))).toBe('2026-12-05T03:41:28Z');
  });

  it('prints whole seconds unchanged', () => {
    expect(tableTime(new Date('2026-12-05T03:41:28Z'))).toBe('2026-12-05T03:41:28Z');
  });
});
