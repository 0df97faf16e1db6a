const MAX_SLUG_TITLE_CHARS = 48;

/** `Fix the flaky login test!` + id → `fix-the-flaky-login-test-1a2b3c4d`: readable and unique per session. */
export function sessionSlug(title: string, sessionId: string): string {
  const readable = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG_TITLE_CHARS)
    .replace(/-+$/, '');
  return `${readable === '' ? 'session' : readable}-${sessionId.slice(0, 8)}`;
}
