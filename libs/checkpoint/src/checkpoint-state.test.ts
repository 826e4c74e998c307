import { describe, expect, it } from 'vitest';

import { parseCheckpointState } from './checkpoint-state.js';

describe('parseCheckpointState', () => {
  it('reads the latest and all paths', () => {
    const text = 'model_checkpoint_path: "model.ckpt-20"\nall_model_checkpoint_paths: "model.ckpt-10"\nall_model_checkpoint_paths: "model.ckpt-20"\n';

    expect(parseCheckpointState(text)).toEqual({ modelCheckpointPath: 'model.ckpt-20', allModelCheckpointPaths: ['model.ckpt-10', 'model.ckpt-20'] });
  });

  it('ignores timestamps and blank lines', () => {
    const text = '\nmodel_checkpoint_path: "/tmp/train/model.ckpt-5"\nall_model_checkpoint_timestamps: 1612345678.5\nlast_preserved_timestamp: 1612345600.1\n';

    expect(parseCheckpointState(text)?.modelCheckpointPath).toBe('/tmp/train/model.ckpt-5');
  });

  it('undoes text format escapes', () => {
    expect(parseCheckpointState('model_checkpoint_path: "dir\\\\with \\"quotes\\"\\101"')?.modelCheckpointPath).toBe('dir\\with "quotes"A');
  });

  it('returns undefined without a model path', () => {
    expect(parseCheckpointState('all_model_checkpoint_paths: "model.ckpt-1"\n')).toBeUndefined();
  });
});
