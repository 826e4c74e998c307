import { describe, expect, it } from 'vitest';
import { listedAddresses } from './worker-channel.js';

describe('listedAddresses', () => {
  it.each([
    ['ipv4:127.0.0.1:5001,127.0.0.1:5002', ['127.0.0.1:5001', '127.0.0.1:5002']],
    ['ipv6:[::1]:5001,[::1]:5002', ['[::1]:5001', '[::1]:5002']],
    ['ipv4:127.0.0.1', []],
    ['dns:///sharding:50052', []],
    ['127.0.0.1:5001', []],
  ])('reads %s', (target, expected) => {
    expect(listedAddresses(target)).toEqual(expected);
  });
});
