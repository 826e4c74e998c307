/**
 * Invalid input of `inception build-image-data`: a flag, the labels file, the class folders or
 * an empty split. Raised before any shard is written. The message names the value and the fix.
 */
export class BuildImageDataError extends Error {
  override readonly name = 'BuildImageDataError';
}
