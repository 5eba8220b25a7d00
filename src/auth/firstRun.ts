// First run: with no API key in the database, Handoff creates an ADMIN key, prints its token once and
// writes it to <dataDir>/admin-token (mode 0600). HANDOFF_ADMIN_TOKEN, when set, is that token instead.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ApiKeys } from './apiKeys.js';

export async function announceFirstRunToken(config: Config, keys: ApiKeys, log: Logger): Promise<void> {
  if (!config.auth) {
    log.warn('HANDOFF_AUTH=off: every caller is an admin. For local experiments only; never expose this server.');
    return;
  }
  const token = await keys.ensureAdmin(config.adminToken);
  if (token === undefined || config.adminToken !== undefined) return;
  const file = path.join(config.dataDir, 'admin-token');
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  // Printed to the terminal, not logged: tokens never go into logs.
  process.stderr.write(
    `\nHandoff created its first ADMIN key. Its token, shown once (also in ${file}):\n\n  ${token}\n\n` +
      `Send it as the header  Authorization: Bearer ${token}\n\n`,
  );
}
