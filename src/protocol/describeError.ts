/**
 * What was thrown, as text: an Error's message (with `withStack`, its stack, for a log), anything
 * else as `String(thrown)`. Shared by the core, the CLI, the extension and the webviews.
 */
export function describeError(error: unknown, withStack = false): string {
  if (error instanceof Error) {
    return withStack && error.stack ? error.stack : error.message;
  }
  return String(error);
}
