/**
 * A gate for replaying races step by step: the code under test stops at `pass()` until the test
 * calls `open()`, and the test can wait until it has stopped there.
 */
export class Gate {
  #armed = true;
  #arrive!: () => void;
  #open!: () => void;
  /** Resolves when something is held at the gate. */
  readonly reached = new Promise<void>((resolve) => {
    this.#arrive = resolve;
  });
  readonly #opened = new Promise<void>((resolve) => {
    this.#open = resolve;
  });

  /** Holds the first caller until `open()`; later callers pass straight through. */
  async pass(): Promise<void> {
    if (!this.#armed) return;
    this.#armed = false;
    this.#arrive();
    await this.#opened;
  }

  /** Lets the held caller go on. */
  open(): void {
    this.#open();
  }
}
