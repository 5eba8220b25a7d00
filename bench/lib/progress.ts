// A one-line progress bar on stderr (stdout stays for the tables), redrawn at most every 200 ms.

export interface ProgressBar {
  /** Sets how far along the step is and an optional note shown after the counts. */
  update(done: number, note?: string): void;
  /** Draws the final state and moves to a new line. */
  finish(note?: string): void;
}

const width = 30;

/** Starts a bar for `total` units of work labelled `label`. */
export function progressBar(label: string, total: number): ProgressBar {
  const started = Date.now();
  let last = 0;
  let done = 0;
  let note = '';
  const interactive = process.stderr.isTTY === true;
  const draw = (force: boolean) => {
    const now = Date.now();
    // Without a terminal (CI logs) a redraw is a new line: keep those rare.
    if (!force && now - last < (interactive ? 200 : 5_000)) return;
    last = now;
    const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
    const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
    const seconds = ((now - started) / 1000).toFixed(0);
    const line = `${label.padEnd(28)} [${bar}] ${done}/${total} ${seconds}s ${note}`;
    process.stderr.write(interactive ? `\r${line.slice(0, 150).padEnd(150)}` : `${line}\n`);
  };
  return {
    update(value, text) {
      done = Math.max(0, value);
      if (text !== undefined) note = text;
      draw(false);
    },
    finish(text) {
      if (text !== undefined) note = text;
      done = total;
      draw(true);
      if (interactive) process.stderr.write('\n');
    },
  };
}
