import { describe, expect, it } from 'vitest';

import { parseLabels } from './labels.js';

describe('parseLabels', () => {
  it('numbers classes from one', () => {
    expect(parseLabels('daisy\ndandelion\nroses\n', 'labels.txt')).toEqual([
      { text: 'daisy', label: 1, lineNumber: 1 },
      { text: 'dandelion', label: 2, lineNumber: 2 },
      { text: 'roses', label: 3, lineNumber: 3 },
    ]);
  });

  it('tolerates CRLF, blanks and padding', () => {
    const entries = parseLabels('\uFEFFdaisy\r\n\r\n  roses \t\r\n\ntulips', 'labels.txt');
    expect(entries.map((entry) => entry.text)).toEqual(['daisy', 'roses', 'tulips']);
    expect(entries.map((entry) => entry.label)).toEqual([1, 2, 3]);
    expect(entries.map((entry) => entry.lineNumber)).toEqual([1, 3, 5]);
  });

  it('rejects a repeated class', () => {
    expect(() => parseLabels('daisy\nroses\ndaisy\n', 'labels.txt')).toThrow('labels file labels.txt line 3: class "daisy" repeats line 1');
  });

  it('rejects a path as class', () => {
    expect(() => parseLabels('daisy\nflowers/roses\n', 'labels.txt')).toThrow('labels file labels.txt line 2: class "flowers/roses" is not a folder name');
  });

  it('rejects a file without classes', () => {
    expect(() => parseLabels('\r\n  \n', 'labels.txt')).toThrow('labels file labels.txt lists no class');
  });
});
