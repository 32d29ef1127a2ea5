// The base of every typed Promptune error: a machine-readable code next to a message that says what was
// wrong and how to fix it. Subclasses only name their codes.

/** An error with a `code`; `name` is the subclass's name, so `isInstance` works across module copies. */
export class CodedError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** True when `e` is an instance of the class this is called on (matched by name, not identity). */
  static isInstance<T extends abstract new (...args: never[]) => Error>(this: T, e: unknown): e is InstanceType<T> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass the check is called on, by design.
    return e instanceof Error && e.name === this.name;
  }
}
