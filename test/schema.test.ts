import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../codegen.js';
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
