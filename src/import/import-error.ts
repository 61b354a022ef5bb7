// What `xqueue import` can fail with as a whole, each with a stable code. Problems with
// single rows or files are not errors: they are counted and listed in the summary.

export type ImportErrorCode = 'usage' | 'legacy_connect_failed' | 'legacy_schema' | 'target_not_ready';

export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}
