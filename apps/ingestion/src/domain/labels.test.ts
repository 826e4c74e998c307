import { describe, expect, it } from 'vitest';
import { ImportError } from './errors.js';
import { parseLabelsFile, resolveLabels } from './labels.js';

const TRAIN = { description: '/data/train', classNames: ['daisy', 'roses', 'tulips'] };
const VALIDATION = { description: '/data/validation', classNames: ['daisy', 'roses'] };

function problem(run: () => unknown): ImportError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error('expected an ImportError');
}

describe('parseLabelsFile', () => {
  it('tolerates CRLF, blanks and spaces', () => {
    expect(parseLabelsFile('\uFEFFroses \r\n\r\n  daisy\r\ntulips\t\r\n')).toEqual([
      { line: 1, label: 'roses' },
      { line: 3, label: 'daisy' },
      { line: 4, label: 'tulips' },
    ]);
  });

  it('normalises labels to NFC', () => {
    const decomposed = 'me\u0301lange';
    expect(parseLabelsFile(decomposed)[0].label).toBe('m\u00e9lange');
  });
});

describe('resolveLabels', () => {
  it('sorts folder names by default', () => {
    expect(resolveLabels({ kind: 'folders' }, TRAIN, VALIDATION)).toEqual(['daisy', 'roses', 'tulips']);
  });

  it('keeps the labels file order', () => {
    expect(resolveLabels({ kind: 'file', text: 'tulips\ndaisy\nroses\n' }, TRAIN, VALIDATION)).toEqual(['tulips', 'daisy', 'roses']);
  });

  it('names the line of a class without folder', () => {
    const error = problem(() => resolveLabels({ kind: 'file', text: 'daisy\r\n\r\nroses\r\ntulip\r\ntulips\r\n' }, TRAIN, VALIDATION));
    expect(error.kind).toBe('invalid-argument');
    expect(error.message).toBe('labels file line 4: class "tulip" has no folder in /data/train');
  });

  it('names a folder missing from the file', () => {
    const error = problem(() => resolveLabels({ kind: 'file', text: 'daisy\nroses\n' }, TRAIN, VALIDATION));
    expect(error.message).toBe('class folder "tulips" in /data/train is not listed in the labels file; add it to the labels file');
  });

  it('names unlisted folders in one sentence', () => {
    const error = problem(() => resolveLabels({ kind: 'file', text: 'daisy\n' }, TRAIN, VALIDATION));
    expect(error.message).toBe('class folders "roses" and "tulips" in /data/train are not listed in the labels file; add them to the labels file');
  });

  it('counts unlisted folders beyond ten', () => {
    const classNames = Array.from({ length: 13 }, (_, index) => `class${String(index).padStart(2, '0')}`);
    const error = problem(() => resolveLabels({ kind: 'file', text: 'class00\n' }, { description: '/data/train', classNames }));
    const listed = classNames.slice(1, 11).map((name) => `"${name}"`).join(', ');
    expect(error.message).toBe(`class folders ${listed} and 2 more in /data/train are not listed in the labels file; add them to the labels file`);
  });

  it('names a validation-only unlisted folder', () => {
    const validation = { description: '/data/validation', classNames: ['daisy', 'lilies'] };
    const error = problem(() => resolveLabels({ kind: 'file', text: 'daisy\nroses\ntulips\n' }, TRAIN, validation));
    expect(error.message).toBe('class folder "lilies" in /data/validation is not listed in the labels file; add it to the labels file');
  });

  it('names the labels list in its fix', () => {
    const error = problem(() => resolveLabels({ kind: 'list', labels: ['daisy', 'roses'] }, TRAIN));
    expect(error.message).toBe('class folder "tulips" in /data/train is not listed in the labels list; add it to the labels list');
  });

  it('names both lines of a repeated class', () => {
    const error = problem(() => resolveLabels({ kind: 'file', text: 'daisy\nroses\ntulips\nroses\n' }, TRAIN, VALIDATION));
    expect(error.message).toBe('labels file line 4: class "roses" is listed twice (first at line 2)');
  });

  it('lists every problem at once', () => {
    const error = problem(() => resolveLabels({ kind: 'file', text: 'lilies\ndaisy\n' }, TRAIN, VALIDATION));
    expect(error.message).toContain('line 1: class "lilies"');
    expect(error.message).toContain('"roses" and "tulips" in /data/train');
    expect(error.message).not.toContain('/data/validation');
  });

  it('names list entries by position', () => {
    const error = problem(() => resolveLabels({ kind: 'list', labels: ['daisy', 'roses', 'lilies'] }, TRAIN));
    expect(error.message).toContain('labels entry 3: class "lilies" has no folder in /data/train');
  });

  it('rejects a validation-only class', () => {
    const validation = { description: '/data/validation', classNames: ['daisy', 'lilies'] };
    const error = problem(() => resolveLabels({ kind: 'folders' }, TRAIN, validation));
    expect(error.message).toBe('class folder "lilies" in /data/validation has no folder in /data/train');
  });

  it('rejects an empty labels file', () => {
    const error = problem(() => resolveLabels({ kind: 'file', text: '\r\n \r\n' }, TRAIN));
    expect(error.message).toBe('the labels file has no class names');
  });

  it('rejects a root without class folders', () => {
    const error = problem(() => resolveLabels({ kind: 'folders' }, { description: '/data/empty', classNames: [] }));
    expect(error.message).toContain('/data/empty has no class folders');
  });
});
