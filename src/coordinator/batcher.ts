// Calls that arrive together, run together: the first call when nothing is in flight runs at once and
// alone (no added wait at low load); calls that arrive while one runs wait for it and then run as one
// batch. Under load a statement then carries many calls, and PostgreSQL parses, plans, locks and
// commits once for all of them — the group commit of a database, one level up.

/** A call waiting in a batch. */
interface Pending<Input, Result> {
  readonly input: Input;
  resolve(result: Result | PromiseLike<Result>): void;
  reject(error: unknown): void;
}

export class Batcher<Input, Result> {
  private waiting: Pending<Input, Result>[] = [];
  private running = false;

  /**
   * `alone` runs one call in its own statement. `together` runs several in one and gives the results
   * of those it served; each call it left out then runs alone (which also says precisely why one
   * cannot be served). If `together` throws, every call of its batch fails with that error.
   */
  constructor(
    private readonly alone: (input: Input) => Promise<Result>,
    private readonly together: (inputs: readonly Input[]) => Promise<ReadonlyMap<Input, Result>>,
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
      // Settling a settled promise does nothing: only the calls not settled yet get the error.
      .catch((error: unknown) => {
        for (const call of batch) call.reject(error);
      })
      .finally(() => {
        this.running = false;
        this.next();
      });
  }

  private async run(batch: readonly Pending<Input, Result>[]): Promise<void> {
    const alone = (call: Pending<Input, Result>) => this.alone(call.input).then(call.resolve, call.reject);
    const [first] = batch;
    if (batch.length === 1 && first) return alone(first);
    const open = new Map(batch.map((call) => [call.input, call]));
    for (const [input, result] of await this.together(batch.map((call) => call.input))) {
      open.get(input)?.resolve(result);
      open.delete(input);
    }
    await Promise.all([...open.values()].map(alone));
  }
}
