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

/** A duration in seconds as "4s", "3m", "2h", "3d"; "-" when there is none. */
export function seconds(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  const whole = Math.round(value);
  if (whole < 120) return `${whole}s`;
  if (whole < 7200) return `${Math.round(whole / 60)}m`;
  if (whole < 172_800) return `${Math.round(whole / 3600)}h`;
  return `${Math.round(whole / 86_400)}d`;
}

/** One line of at most `max` characters: line breaks as spaces, the rest cut with "…". */
export function shortened(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** Text from the server made safe for a terminal: control characters (escape sequences among them) written as \uXXXX. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu, (c) => `\\u${c.codePointAt(0)?.toString(16).padStart(4, '0')}`);
}
