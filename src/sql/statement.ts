// SQL statements as values: a tagged template that keeps the text and the parameters apart, so a
// statement's text is the same on every call (the database prepares it once) and no value is ever
// spliced into it. Fragments nest; `raw` is for SQL written in this code, never for input.

type Chunk = string | { readonly value: unknown };

export class Sql {
  constructor(readonly chunks: readonly Chunk[]) {}
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  const chunks: Chunk[] = [];
  strings.forEach((text, index) => {
    chunks.push(text);
    if (index >= values.length) return;
    const value = values[index];
    if (value instanceof Sql) chunks.push(...value.chunks);
    else chunks.push({ value });
  });
  return new Sql(chunks);
}

/** SQL text written in this code (a column list, a lock clause): never a caller's input. */
export const raw = (text: string): Sql => new Sql([text]);

export const empty = raw('');

export function join(parts: readonly Sql[], separator = ', '): Sql {
  const chunks: Chunk[] = [];
  parts.forEach((part, index) => {
    if (index > 0) chunks.push(separator);
    chunks.push(...part.chunks);
  });
  return new Sql(chunks);
}

export interface CompiledSql {
  /** With $1, $2, … in place of the values. */
  text: string;
  values: unknown[];
}

export function compile(statement: Sql): CompiledSql {
  let text = '';
  const values: unknown[] = [];
  for (const chunk of statement.chunks) {
    if (typeof chunk === 'string') text += chunk;
    else {
      values.push(chunk.value);
      text += `$${values.length}`;
    }
  }
  return { text, values };
}
