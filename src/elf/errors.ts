/**
 * A file that looks like ELF (or was asked to be read as one) but cannot be parsed.
 * Carries the path so the CLI can print `path: reason` without extra context.
 * (Lives here until src/errors.ts collects the error classes; move it there then.)
 */
export class ElfError extends Error {
  override readonly name = 'ElfError';
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${reason}`, options);
    const code = (options?.cause as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === 'string') this.code = code;
  }
  /** errno code (ENOENT, EACCES, ...) when the error came from the file system. */
  readonly code?: string;
}
