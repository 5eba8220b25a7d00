// Calls that arrive together, run together: the first call when nothing is in flight runs at once and
// alone (no added wait at low load); calls that arrive while one runs wait for it and then run as one
// batch. Under load a statement then carries many calls, and PostgreSQL parses, plans, locks and
// commits once for all of them — the group commit of a database, one level up.

/** A call waiting in a batch, settled by the batch's runner. */
export interface Pending<Input, Result> {
  readonly input: Input;
  resolve(result: Result | PromiseLike<Result>): void;
  reject(error: unknown): void;
}

export class Batcher<Input, Result> {
  private waiting: Pending<Input, Result>[] = [];
  private running = false;

  /**
   * `run` settles every call of its batch (a call it leaves unsettled would never end); if it throws,
   * every call it has not settled fails with that error.
   */
  constructor(
    private readonly run: (batch: readonly Pending<Input, Result>[]) => Promise<void>,
    private readonly maxBatch: number,
  ) {}

  add(input: Input): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.running || this.waiting.length === 0) return;
    const batch = this.waiting.splice(0, this.maxBatch);
    this.running = true;
    this.run(batch)
      // Settling a settled promise does nothing: only the calls `run` left open get the error.
      .catch((error: unknown) => {
        for (const call of batch) call.reject(error);
      })
      .finally(() => {
        this.running = false;
        this.next();
      });
  }
}
