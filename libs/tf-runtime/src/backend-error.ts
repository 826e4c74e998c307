/** Returns the message of a thrown value, which native bindings do not always make an `Error`. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.message.trim();
  }
  return String(error);
}
