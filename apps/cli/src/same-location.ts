import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** Returns a path in a form that compares equal for the same place: symbolic links resolved, or an s3:// URI without trailing slashes. */
async function canonicalLocation(location: string): Promise<string> {
  if (location.startsWith('s3://')) return location.replace(/\/+$/, '');
  try {
    return await realpath(location);
  } catch {
    // The command that reads a missing path reports it, so here it is compared as written.
    return path.resolve(location);
  }
}

/**
 * Returns the warning to print when the train and validation roots (folders, archives or s3://
 * prefixes) are the same place, or undefined when they differ.
 */
export async function sameRootsWarning(trainRoot: string, validationRoot: string): Promise<string | undefined> {
  const [train, validation] = await Promise.all([canonicalLocation(trainRoot), canonicalLocation(validationRoot)]);
  if (train !== validation) return undefined;
  return `warning: the train and validation roots are both ${train}, so the validation images are the training images and evaluation will overstate accuracy`;
}
