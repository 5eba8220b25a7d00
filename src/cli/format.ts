// Plain-text output for the CLI: aligned columns, and how long ago something happened.

/** Columns padded to their widest cell, two spaces apart; `whenEmpty` instead when there is no row. */
export function table(header: string[], rows: string[][], whenEmpty?: string): string {
  if (rows.length === 0 && whenEmpty !== undefined) return whenEmpty;
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** "4s ago", "3m ago", "2h ago"; "never" when there is no time. */
export function age(at: unknown, now = Date.now()): string {
  if (at === null || at === undefined) return 'never';
  const seconds = Math.max(0, Math.round((now - new Date(String(at)).getTime()) / 1000));
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}
