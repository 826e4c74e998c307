import { describe, expect, it } from 'vitest';

import { runCli } from '../build-image-data/test-support/run-cli.js';

describe('inception model summary', () => {
  it('prints no tfjs-node advert', async () => {
    const run = await runCli(['model', 'summary', '--image-size', '75', '--depth-multiplier', '0.25', '--num-classes', '11', '--json']);
    const summary = JSON.parse(run.stdout) as { totalParamCount: number };

    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    expect(summary.totalParamCount).toBeGreaterThan(0);
  });
});
