// Errors are a contract: one list of codes, in the server, the SDK and the README.
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type ErrorCode, type HandoffError, errorCodes as exported } from '../src/client/index.js';
import { errorCodes } from '../src/protocol/errors.js';

describe('error codes', () => {
  it('the README lists exactly the codes the server can give, with the SDK exporting the same list', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('\n## ', readme.indexOf('## Error codes') + 1));
    const listed = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    expect(listed).toEqual(Object.keys(errorCodes));
    expect(exported).toBe(errorCodes);
  });

  it('the SDK exports them as a type too, the one its errors carry', () => {
    expectTypeOf<ErrorCode>().toEqualTypeOf<keyof typeof errorCodes>();
    expectTypeOf<HandoffError['code']>().toEqualTypeOf<ErrorCode>();
  });
});
