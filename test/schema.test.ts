import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../codegen.js';
import { schema } from '../src/schema/index.js';
import { printSchemaFile, schemaFilePath } from '../src/schema/print.js';

describe('generated files are current', () => {
  it('schema.graphql is what the Pothos schema prints (run `npm run schema:print`)', () => {
    expect(readFileSync(schemaFilePath, 'utf8')).toBe(printSchemaFile());
  });

  it('src/client/generated is what codegen makes of schema.graphql and the operations (run `npm run codegen`)', async () => {
    const outputs = await generate({ ...codegenConfig, silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      expect(readFileSync(path.resolve(output.filename), 'utf8'), output.filename).toBe(output.content);
    }
  });
});

describe('authorization coverage', () => {
  it('every query, mutation and subscription declares who may call it', () => {
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
    const open = roots.flatMap((root) =>
      Object.values(root?.getFields() ?? {})
        .filter((field) => (field.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions?.authScopes === undefined)
        .map((field) => `${root?.name}.${field.name}`),
    );
    expect(open).toEqual([]);
    expect(roots.reduce((count, root) => count + Object.keys(root?.getFields() ?? {}).length, 0)).toBeGreaterThan(20);
  });
});
