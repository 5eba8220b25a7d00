import type { Config } from '../config.js';

/** The settings the domain reads (all from src/config.ts). */
export type CoordinatorSettings = Pick<
  Config,
  | 'limits'
  | 'topicPrefix'
  | 'intake'
  | 'defaultLeaseTtlMs'
  | 'processingTtlMs'
  | 'maxAttempts'
  | 'heartbeatTtlMs'
  | 'historyRetentionMs'
  | 'backlogLimit'
  | 'priorityAgeingMs'
  | 'replicaSilenceMs'
  | 'sweepIntervalMs'
  | 'sampleIntervalMs'
  | 'offlineFoldMs'
>;
