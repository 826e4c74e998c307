// MT19937 parameters (Matsumoto and Nishimura, 1998), as used by CPython's `random` module.
const STATE_WORDS = 624;
const SHIFT_WORDS = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/**
 * Pseudo-random generator that reproduces CPython 3's `random.Random` for integer seeds:
 * `seed`, `random`, `getrandbits`, `_randbelow` and `shuffle` return the same values as Python
 * 3.2 and later. `build_image_data.py` shuffles its file list with `random.seed(12345)` and
 * `random.shuffle`, so this reproduces its shard contents when it ran under Python 3. Python 2.7
 * shuffled differently, with `int(random() * (i + 1))`.
 */
export class PythonRandom {
  private readonly state = new Uint32Array(STATE_WORDS);
  private index = STATE_WORDS;

  constructor(seed: number | bigint) {
    this.seed(seed);
  }

  /**
   * Reseeds as `random.seed(n)` does for an integer: the absolute value, split into 32-bit words
   * least significant first, is the key of MT19937's `init_by_array`.
   */
  seed(seed: number | bigint): void {
    if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
      throw new RangeError(`PythonRandom.seed: seed must be a safe integer or a bigint, got ${seed}`);
    }

    let remaining = BigInt(seed) < 0n ? -BigInt(seed) : BigInt(seed);
    const key: number[] = [];
    do {
      key.push(Number(remaining & 0xffffffffn));
      remaining >>= 32n;
    } while (remaining > 0n);
    this.initByArray(key);
  }

  /** Returns a float64 in [0, 1) built from 53 random bits, as `random.random()` does. */
  random(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Returns an integer of `bitCount` random bits, as `random.getrandbits(k)` does. */
  getrandbits(bitCount: number): bigint {
    if (!Number.isSafeInteger(bitCount) || bitCount < 0) {
      throw new RangeError(`PythonRandom.getrandbits: bitCount must be a non-negative integer, got ${bitCount}`);
    }
    if (bitCount <= 32) {
      return BigInt(this.smallRandomBits(bitCount));
    }

    // Whole 32-bit words fill from the least significant end; the last word keeps its top bits.
    let value = 0n;
    let shift = 0n;
    for (let bitsLeft = bitCount; bitsLeft > 0; bitsLeft -= 32) {
      const word = bitsLeft < 32 ? this.nextUint32() >>> (32 - bitsLeft) : this.nextUint32();
      value |= BigInt(word) << shift;
      shift += 32n;
    }
    return value;
  }

  /**
   * Returns an integer in [0, n) as CPython's `_randbelow` does: draw `n.bit_length()` bits and
   * retry while the draw is n or more.
   */
  randbelow(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new RangeError(`PythonRandom.randbelow: n must be a positive safe integer, got ${n}`);
    }

    const bitCount = n.toString(2).length;
    if (bitCount <= 32) {
      let draw = this.smallRandomBits(bitCount);
      while (draw >= n) {
        draw = this.smallRandomBits(bitCount);
      }
      return draw;
    }

    const limit = BigInt(n);
    let draw = this.getrandbits(bitCount);
    while (draw >= limit) {
      draw = this.getrandbits(bitCount);
    }
    return Number(draw);
  }

  /**
   * Shuffles `items` in place as `random.shuffle` does: for i from length - 1 down to 1, swap
   * item i with item `randbelow(i + 1)`.
   */
  shuffle<T>(items: T[]): void {
    for (let i = items.length - 1; i >= 1; i--) {
      const j = this.randbelow(i + 1);
      const item = items[i];
      items[i] = items[j];
      items[j] = item;
    }
  }

  private smallRandomBits(bitCount: number): number {
    return bitCount === 0 ? 0 : this.nextUint32() >>> (32 - bitCount);
  }

  private initGenrand(seed: number): void {
    const mt = this.state;
    mt[0] = seed >>> 0;
    for (let i = 1; i < STATE_WORDS; i++) {
      mt[i] = (Math.imul(1812433253, mt[i - 1] ^ (mt[i - 1] >>> 30)) + i) >>> 0;
    }
    this.index = STATE_WORDS;
  }

  private initByArray(key: number[]): void {
    const mt = this.state;
    this.initGenrand(19650218);

    let i = 1;
    let j = 0;
    for (let k = Math.max(STATE_WORDS, key.length); k > 0; k--) {
      mt[i] = ((mt[i] ^ Math.imul(mt[i - 1] ^ (mt[i - 1] >>> 30), 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= STATE_WORDS) {
        mt[0] = mt[STATE_WORDS - 1];
        i = 1;
      }
      if (j >= key.length) {
        j = 0;
      }
    }
    for (let k = STATE_WORDS - 1; k > 0; k--) {
      mt[i] = ((mt[i] ^ Math.imul(mt[i - 1] ^ (mt[i - 1] >>> 30), 1566083941)) - i) >>> 0;
      i++;
      if (i >= STATE_WORDS) {
        mt[0] = mt[STATE_WORDS - 1];
        i = 1;
      }
    }
    // The top bit set guarantees a non-zero initial state.
    mt[0] = UPPER_MASK;
  }

  private nextUint32(): number {
    if (this.index >= STATE_WORDS) {
      this.twist();
    }

    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const mt = this.state;
    for (let k = 0; k < STATE_WORDS; k++) {
      const y = (mt[k] & UPPER_MASK) | (mt[(k + 1) % STATE_WORDS] & LOWER_MASK);
      const mixed = (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      mt[k] = mt[(k + SHIFT_WORDS) % STATE_WORDS] ^ mixed;
    }
    this.index = 0;
  }
}

/**
 * Shuffles `items` in place into the order Python 3 gives a list after `random.seed(seed)` and
 * `random.shuffle(list)`, and returns the same array.
 */
export function pythonShuffle<T>(items: T[], seed: number | bigint): T[] {
  new PythonRandom(seed).shuffle(items);
  return items;
}
