/** Exit codes, as DESIGN.md fixes them. */
export const ExitCode = {
  ok: 0,
  /** The run finished but a request failed or a threshold was missed. */
  failed: 1,
  /** Bad usage or bad input; nothing was fetched. */
  usage: 2,
  /** Interrupted (Ctrl-C), after printing what finished. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the user can fix: a bad flag, a bad line in a URL list, a missing file.
 * Its message is one line, printed as is, without a stack trace.
 */
export class UsageError extends Error {
  readonly exitCode: ExitCodeValue = ExitCode.usage;

  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A URL list that cannot be used; the message names `FILE:LINE` where there is one. */
export class InputError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** The `code` of a system or undici error (`ENOENT`, `UND_ERR_SOCKET`), or null when it has none. */
export function errorCode(error: unknown): string | null {
  if (typeof error === "object" && error !== null && "code" in error) {
    const { code } = error as { code: unknown };
    if (typeof code === "string" && code) return code;
  }
  return null;
}
