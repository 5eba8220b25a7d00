import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for the client operations in src/client/operations.ts (used by the SDK and the tests).
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['src/client/operations.ts'],
  ignoreNoDocuments: false,
  generates: {
    'src/client/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        emitLegacyCommonJSImports: false,
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', ID: 'string' },
        skipTypename: true,
      },
    },
  },
};

export default config;
