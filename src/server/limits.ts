// Hard limits that keep one caller from starving the rest: query shape (graphql-armor, before
// execution) and mutations per API key (a token bucket). Open subscriptions: subscriptions.ts.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Limits } from '../config.js';
import { codedError } from '../schema/errors.js';
import type { Context } from '../schema/index.js';

export const rateLimited = (message: string) => codedError('RATE_LIMITED', message);

/**
 * The size of the standard introspection query by armor's measures — graphql-js's
 * getIntrospectionQuery with every option on, and GraphiQL's own: depth 21 (fragment spreads count),
 * cost about 87,500. An operation that selects __schema may be that large and no larger; the deepest
 * cycle through the introspection types that fits runs in milliseconds (test/limits.test.ts holds
 * these numbers to that query).
 */
export const introspectionAllowance = { depth: 21, cost: 90_000 };

/**
 * Depth, cost, aliases, directives and tokens are checked while validating, so an abusive query never
 * runs. Every operation is measured whole, introspection included: armor leaves __schema out of its
 * count, so a second measure counts it, against the allowance above (a schema explorer needs no more).
 */
export const queryShapeLimits = (limits: Limits) => [
  EnvelopArmorPlugin({
    maxDepth: { n: limits.maxDepth },
    costLimit: { maxCost: limits.maxCost },
    maxAliases: { n: limits.maxAliases },
    maxTokens: { n: limits.maxTokens },
    maxDirectives: { n: 20 },
    // Suggestions are removed where they must be, for every kind of hint (schema/errors.ts).
    blockFieldSuggestion: { enabled: false },
  }),
  EnvelopArmorPlugin({
    maxDepth: { n: Math.max(limits.maxDepth, introspectionAllowance.depth), ignoreIntrospection: false },
    costLimit: { maxCost: Math.max(limits.maxCost, introspectionAllowance.cost), ignoreIntrospection: false },
    maxAliases: { enabled: false },
    maxTokens: { enabled: false },
    maxDirectives: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }),
];

/** Per key, in this replica's memory: `rate` tokens a second, at most `burst` saved up. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {}

  take(key: string, now = performance.now()): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/** Mutations beyond a key's rate get RATE_LIMITED and change nothing; queries and subscriptions are not counted. */
export function mutationRateLimit(limits: Limits): Plugin<Context> {
  const buckets = new TokenBuckets(limits.mutationsPerSecond, limits.mutationBurst);
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      const principal = (args.contextValue as Context).principal;
      if (!buckets.take(principal?.id ?? 'anonymous')) {
        setResultAndStopExecution({
          errors: [rateLimited(`more than ${limits.mutationsPerSecond} mutations a second for this API key; retry shortly`)],
        });
      }
    },
  };
}
