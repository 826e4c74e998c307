/**
 * FIFO of byte chunks that hands out exact-length slices. A slice that lies inside one chunk is a
 * view of that chunk, and only a slice that spans chunks is copied, so reading a record never
 * copies the stream twice.
 */
export class ByteQueue {
  private readonly chunks: Uint8Array[] = [];
  private headOffset = 0;
  private queuedBytes = 0;

  /** Number of bytes queued and not yet taken. */
  get length(): number {
    return this.queuedBytes;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.queuedBytes += chunk.length;
    }
  }

  /** Removes and returns the first `sizeBytes` bytes. Throws if fewer are queued. */
  take(sizeBytes: number): Uint8Array {
    if (sizeBytes > this.queuedBytes) {
      throw new RangeError(`ByteQueue.take: requested ${sizeBytes} bytes but only ${this.queuedBytes} are queued`);
    }
    if (sizeBytes === 0) {
      return new Uint8Array(0);
    }

    const first = this.chunks[0];
    if (first.length - this.headOffset >= sizeBytes) {
      const slice = first.subarray(this.headOffset, this.headOffset + sizeBytes);
      this.consume(sizeBytes);
      return slice;
    }

    const out = new Uint8Array(sizeBytes);
    let written = 0;
    while (written < sizeBytes) {
      const chunk = this.chunks[0];
      const count = Math.min(chunk.length - this.headOffset, sizeBytes - written);
      out.set(chunk.subarray(this.headOffset, this.headOffset + count), written);
      written += count;
      this.consume(count);
    }
    return out;
  }

  /** Drops up to `sizeBytes` bytes without copying them and returns how many were dropped. */
  discard(sizeBytes: number): number {
    let dropped = 0;
    while (dropped < sizeBytes && this.chunks.length > 0) {
      const count = Math.min(this.chunks[0].length - this.headOffset, sizeBytes - dropped);
      this.consume(count);
      dropped += count;
    }
    return dropped;
  }

  private consume(count: number): void {
    this.headOffset += count;
    this.queuedBytes -= count;
    if (this.headOffset === this.chunks[0].length) {
      this.chunks.shift();
      this.headOffset = 0;
    }
  }
}
