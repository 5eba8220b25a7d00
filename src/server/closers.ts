// What a server must close on shutdown, in order: each part is added as it opens, and closes after
// the parts opened later (they may depend on it), so shutdown reads as start-up backwards.

export class Closers {
  private readonly closers: { name: string; close: () => Promise<void> | void }[] = [];

  add(name: string, close: () => Promise<void> | void): void {
    this.closers.push({ name, close });
  }

  /** Closes every part, the last opened first; a part that fails to close does not keep the others open. */
  async closeAll(): Promise<void> {
    const failures: Error[] = [];
    for (const { name, close } of this.closers.reverse()) {
      try {
        await close();
      } catch (error) {
        failures.push(new Error(`closing ${name} failed: ${(error as Error).message}`, { cause: error }));
      }
    }
    this.closers.length = 0;
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, failures.map((failure) => failure.message).join('; '));
  }
}
