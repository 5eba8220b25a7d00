import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { schema } from './index.js';

export const schemaFilePath = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

/** schema.graphql as `npm run schema:print` writes it. */
export function printSchemaFile(): string {
  return `# Generated from the Pothos schema by \`npm run schema:print\`. Do not edit.\n\n${printSchema(schema)}\n`;
}
