// The base of every layer's error class: a stable `code` that tests and callers switch on, the
// subclass's name as `name`, and an optional cause. Each layer declares its codes and one subclass
// (`class PortError extends CodedError<PortErrorCode> {}`) in its own errors.ts.

export class CodedError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** `isPortError(err, code?)` for a subclass: an instance of it, with that code when one is given. */
export function codedErrorGuard<E extends CodedError>(cls: abstract new (...args: never[]) => E) {
  return (err: unknown, code?: E['code']): err is E => err instanceof cls && (code === undefined || err.code === code);
}
