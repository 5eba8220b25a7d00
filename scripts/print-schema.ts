// Prints the Pothos schema to schema.graphql (committed; test/schema.test.ts fails when it is stale).
import { writeFileSync } from 'node:fs';
import { printSchemaFile, schemaFilePath } from '../src/schema/print.js';

writeFileSync(schemaFilePath, printSchemaFile());
console.log(`wrote ${schemaFilePath}`);
