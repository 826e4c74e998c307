import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** Returns the path of an executable on PATH, or undefined when there is none. */
export function findExecutable(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const directory of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/**
 * Returns the path of a tool that a test file needs, or undefined after printing why its tests
 * are skipped, so a missing package is visible in the test output instead of passing silently.
 */
export function requireTool(name: string, debianPackage: string): string | undefined {
  const found = findExecutable(name);
  if (!found) console.warn(`skipping the ${name} tests: ${name} is not on PATH; install the Debian package ${debianPackage}`);
  return found;
}
