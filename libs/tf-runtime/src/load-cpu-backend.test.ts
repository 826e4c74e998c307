import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { initBackend } from './init-backend.js';

// Vitest runs each test file in a fresh child process here (pool: 'forks', isolate on by default), so the
// cpu backend stores its first tensor in this file.
describe('initBackend on cpu', () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const warnings = () => warn.mock.calls.map((call) => call.join(' '));

  afterEach(() => {
    warn.mockClear();
  });

  it('prints no tfjs-node advert', async () => {
    await initBackend({ forced: 'cpu' });
    tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).dataSync());

    expect(warnings().filter((text) => text.includes('looks like you are running TensorFlow.js in Node.js'))).toEqual([]);
  });

  it('leaves later tfjs warnings on', () => {
    tf.registerBackend('cpu', () => tf.backend());

    expect(tf.env().getBool('PROD')).toBe(false);
    expect(warnings()).toEqual(['cpu backend was already registered. Reusing existing backend factory.']);
  });
});
