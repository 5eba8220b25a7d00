// API keys: random 32-byte tokens, stored only as SHA-256 hashes. One statement per operation;
// a revocation is announced (NOTIFY after commit) so every replica closes that key's WebSockets.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { CodedError } from '../protocol/errors.js';
import { isName, isUuid, nameAlphabet, quoted } from '../protocol/names.js';
import type { SqlDatabase } from '../sql/database.js';
import { sql } from '../sql/statement.js';
import type { ApiKey, ApiKeyRole, Principal } from './principal.js';
import { apiKeyRoles } from './principal.js';

export const revocationsChannel = 'handoff_api_key_revoked';

const badInput = (message: string) => new CodedError('BAD_USER_INPUT', message);

function checkName(kind: string, value: string, maxLength: number): string {
  if (!isName(value, maxLength)) throw badInput(`${kind} must be 1–${maxLength} characters of ${nameAlphabet} (got ${quoted(value)})`);
  return value;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => `hk_${randomBytes(32).toString('base64url')}`;

const keyColumns = sql`id, role::text AS role, pool, consumer_id AS "consumerId", created_at AS "createdAt", revoked_at AS "revokedAt"`;

export interface NewApiKey {
  role: string;
  pool?: string | null;
  consumerId?: string | null;
}

/** How long a looked-up key is trusted without asking the database again (revocations clear it at once). */
const knownKeyTtlMs = 5_000;

export class ApiKeys {
  /** Valid keys seen lately, by token hash: most requests then cost no query. */
  private readonly known = new Map<string, { principal: Principal; at: number }>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly config: Config,
  ) {}

  /** The key a token belongs to, unless unknown or revoked. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const tokenHash = hash(token);
    const cached = this.known.get(tokenHash);
    if (cached && performance.now() - cached.at < knownKeyTtlMs) return cached.principal;
    const [key] = await this.db.query<ApiKey>(sql`
      SELECT ${keyColumns} FROM api_keys WHERE token_hash = ${tokenHash} AND revoked_at IS NULL`);
    if (key) this.known.set(tokenHash, { principal: key, at: performance.now() });
    else this.known.delete(tokenHash);
    return key;
  }

  /** A key was revoked (here, or on another replica: the server passes on the announcement). */
  forget(keyId: string): void {
    for (const [tokenHash, entry] of this.known) if (entry.principal.id === keyId) this.known.delete(tokenHash);
  }

  /** Creates a key and returns its token, which is not stored and cannot be shown again. */
  async create(input: NewApiKey, token = newToken()): Promise<{ token: string; key: ApiKey }> {
    const { limits } = this.config;
    if (!(apiKeyRoles as readonly string[]).includes(input.role)) throw badInput(`role must be one of ${apiKeyRoles.join(', ')}`);
    const role = input.role as ApiKeyRole;
    const pool = input.pool == null ? null : checkName('pool', input.pool, limits.maxIdLength);
    let consumerId: string | null = null;
    if (input.consumerId != null) {
      if (role !== 'CONSUMER') throw badInput('only CONSUMER keys are bound to a consumer id');
      const prefix = input.consumerId.endsWith('*');
      if (input.consumerId === '*') {
        throw badInput('consumerId * would act for every consumer: give a prefix before the * (an ADMIN key acts for all)');
      }
      checkName('consumerId', prefix ? input.consumerId.slice(0, -1) : input.consumerId, limits.maxIdLength);
      consumerId = input.consumerId;
    }
    if (role === 'CONSUMER' && consumerId === null) throw badInput('a CONSUMER key needs the consumerId (or prefix ending in *) it acts for');
    if (role === 'ADMIN' && pool !== null) throw badInput('ADMIN keys cannot be limited to a pool');
    const [key] = await this.db.query<ApiKey>(sql`
      INSERT INTO api_keys (id, role, pool, consumer_id, token_hash)
      VALUES (${randomUUID()}::uuid, ${role}::"ApiKeyRole", ${pool}, ${consumerId}, ${hash(token)})
      RETURNING ${keyColumns}`);
    if (!key) throw new Error('creating the API key returned no row');
    return { token, key };
  }

  /** Revokes a key now; the next request with it is refused and its WebSockets are closed. */
  async revoke(id: string): Promise<ApiKey> {
    if (!isUuid(id)) throw badInput(`id must be an API key id, a UUID (got ${quoted(id)})`);
    const [key] = await this.db.query<(ApiKey & { _announced: string })>(sql`
      WITH revoked AS (
        UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = ${id}::uuid RETURNING ${keyColumns}
      )
      SELECT revoked.*, pg_notify(${revocationsChannel}, revoked.id::text)::text AS "_announced" FROM revoked`);
    if (!key) throw new CodedError('NOT_FOUND', `API key ${id} does not exist`);
    this.forget(key.id);
    const { _announced: _, ...rest } = key;
    return rest;
  }

  list(): Promise<ApiKey[]> {
    return this.db.query<ApiKey>(sql`SELECT ${keyColumns} FROM api_keys ORDER BY created_at, id`);
  }

  /**
   * First run: with no key in the database, creates an ADMIN key (with `token` when given, e.g.
   * HANDOFF_ADMIN_TOKEN) and returns its token. A given token that is not a key yet becomes one
   * (the override). Returns nothing when there was nothing to do.
   */
  async ensureAdmin(token: string | undefined): Promise<string | undefined> {
    if (token !== undefined) {
      // Replicas starting together with the same token: the first insert wins, the others change nothing.
      const inserted = await this.db.query(sql`
        INSERT INTO api_keys (id, role, token_hash) VALUES (${randomUUID()}::uuid, 'ADMIN', ${hash(token)})
        ON CONFLICT (token_hash) DO NOTHING
        RETURNING id`);
      return inserted.length > 0 ? token : undefined;
    }
    // One statement decides whether the table is empty and fills it.
    const fresh = newToken();
    const inserted = await this.db.query(sql`
      INSERT INTO api_keys (id, role, token_hash)
      SELECT ${randomUUID()}::uuid, 'ADMIN', ${hash(fresh)}
      WHERE NOT EXISTS (SELECT 1 FROM api_keys)
      RETURNING id`);
    return inserted.length > 0 ? fresh : undefined;
  }
}
