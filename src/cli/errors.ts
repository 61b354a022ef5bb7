// What the operator CLI can fail with, each with a stable code. main.ts prints the
// message as one line on stderr and exits non-zero; nothing reaches the user as a trace.

export type CliErrorCode =
  | 'usage'
  | 'connect_failed'
  | 'timeout'
  | 'not_json'
  | 'unexpected_reply'
  | 'login_failed'
  | 'user_exists'
  | 'user_not_found';

export class CliError extends Error {
  constructor(
    readonly code: CliErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
