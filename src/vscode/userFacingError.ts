/** A failure the person can act on: shown as is, without "failed:" noise. */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}
