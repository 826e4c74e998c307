import { describe, expect, it } from 'vitest';
import { treeLines } from './tree.js';

describe('treeLines', () => {
  it('marks only the last sibling with └─', () => {
    expect(treeLines([{ text: 'a' }, { text: 'b' }, { text: 'c' }])).toEqual(['├─ a', '├─ b', '└─ c']);
  });

  it('continues │ under a node with later siblings', () => {
    const lines = treeLines([
      { text: 'job', children: [{ text: 'fine-tuned from: fmtiny@1' }, { text: 'checkpoint: runs/j/step-20/' }] },
      { text: 'files', children: [{ text: 'one' }, { text: 'two' }] },
    ]);

    expect(lines).toEqual(['├─ job', '│  ├─ fine-tuned from: fmtiny@1', '│  └─ checkpoint: runs/j/step-20/', '└─ files', '   ├─ one', '   └─ two']);
  });

  it('draws a single child with └─', () => {
    expect(treeLines([{ text: 'dataset', children: [{ text: 'shard set' }] }, { text: 'files' }])).toEqual(['├─ dataset', '│  └─ shard set', '└─ files']);
  });

  it('indents grandchildren under each level', () => {
    const lines = treeLines([{ text: 'a', children: [{ text: 'b', children: [{ text: 'c' }] }, { text: 'd' }] }]);

    expect(lines).toEqual(['└─ a', '   ├─ b', '   │  └─ c', '   └─ d']);
  });

  it('draws nothing for no nodes', () => {
    expect(treeLines([])).toEqual([]);
  });
});
