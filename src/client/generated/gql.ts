/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment ConsumerFields on Consumer {\n    id\n    pool\n    topic\n    status\n    declaredStatus\n    alive\n    capacity\n    inFlight\n    labels\n    epoch\n    lastHeartbeatAt\n    freeSince\n    offlineSince\n  }\n": typeof types.ConsumerFieldsFragmentDoc,
    "\n  fragment LeaseFields on Lease {\n    id\n    state\n    attempt\n    claimedAt\n    expiresAt\n    endedAt\n    endReason\n    consumer {\n      ...ConsumerFields\n    }\n  }\n": typeof types.LeaseFieldsFragmentDoc,
    "\n  mutation RegisterConsumer($input: RegisterConsumerInput!) {\n    registerConsumer(input: $input) {\n      ...ConsumerFields\n    }\n  }\n": typeof types.RegisterConsumerDocument,
    "\n  mutation SetStatus($id: ID!, $status: ConsumerStatus!, $epoch: Int!) {\n    setStatus(id: $id, status: $status, epoch: $epoch) {\n      ...ConsumerFields\n    }\n  }\n": typeof types.SetStatusDocument,
    "\n  mutation Heartbeat($id: ID!, $epoch: Int!) {\n    heartbeat(id: $id, epoch: $epoch) {\n      ...ConsumerFields\n    }\n  }\n": typeof types.HeartbeatDocument,
    "\n  subscription ConsumerSession($id: ID!, $epoch: Int!) {\n    consumerSession(id: $id, epoch: $epoch) {\n      kind\n      consumer {\n        ...ConsumerFields\n      }\n    }\n  }\n": typeof types.ConsumerSessionDocument,
    "\n  mutation DeregisterConsumer($id: ID!, $epoch: Int!) {\n    deregisterConsumer(id: $id, epoch: $epoch) {\n      ...ConsumerFields\n    }\n  }\n": typeof types.DeregisterConsumerDocument,
    "\n  mutation ClaimFreeConsumer($pool: String!, $labels: [String!], $ttlMs: Int) {\n    claimFreeConsumer(pool: $pool, labels: $labels, ttlMs: $ttlMs) {\n      ...LeaseFields\n    }\n  }\n": typeof types.ClaimFreeConsumerDocument,
    "\n  mutation CompleteLease($id: ID!, $consumerId: ID, $epoch: Int) {\n    completeLease(id: $id, consumerId: $consumerId, epoch: $epoch) {\n      ...LeaseFields\n    }\n  }\n": typeof types.CompleteLeaseDocument,
    "\n  mutation ReleaseLease($id: ID!) {\n    releaseLease(id: $id) {\n      ...LeaseFields\n    }\n  }\n": typeof types.ReleaseLeaseDocument,
    "\n  query NextFreeConsumer($pool: String!, $labels: [String!]) {\n    nextFreeConsumer(pool: $pool, labels: $labels) {\n      ...ConsumerFields\n    }\n  }\n": typeof types.NextFreeConsumerDocument,
    "\n  query GetConsumer($id: ID!) {\n    consumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n": typeof types.GetConsumerDocument,
    "\n  query ListConsumers($pool: String, $status: ConsumerStatus, $first: Int, $after: String) {\n    consumers(pool: $pool, status: $status, first: $first, after: $after) {\n      nodes {\n        ...ConsumerFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ListConsumersDocument,
    "\n  query GetLease($id: ID!) {\n    lease(id: $id) {\n      ...LeaseFields\n    }\n  }\n": typeof types.GetLeaseDocument,
    "\n  fragment StatsFields on Stats {\n    pool\n    consumers\n    free\n    busy\n    draining\n    offline\n    capacity\n    inFlight\n    waitingProducers\n    claimsLastMinute\n    deadLettered\n    backlog\n    oldestPendingSeconds\n    intakeTopic\n  }\n": typeof types.StatsFieldsFragmentDoc,
    "\n  query GetStats($pool: String) {\n    stats(pool: $pool) {\n      ...StatsFields\n    }\n  }\n": typeof types.GetStatsDocument,
    "\n  subscription OnFreeConsumerAvailable($pool: String!, $labels: [String!]) {\n    freeConsumerAvailable(pool: $pool, labels: $labels) {\n      ...ConsumerFields\n    }\n  }\n": typeof types.OnFreeConsumerAvailableDocument,
    "\n  subscription AwaitFreeConsumer(\n    $pool: String!\n    $labels: [String!]\n    $ttlMs: Int\n    $priority: Int\n    $fairnessKey: String\n    $requestKey: String\n  ) {\n    awaitFreeConsumer(pool: $pool, labels: $labels, ttlMs: $ttlMs, priority: $priority, fairnessKey: $fairnessKey, requestKey: $requestKey) {\n      ...LeaseFields\n    }\n  }\n": typeof types.AwaitFreeConsumerDocument,
    "\n  subscription OnConsumerStatusChanged($pool: String) {\n    consumerStatusChanged(pool: $pool) {\n      ...ConsumerFields\n    }\n  }\n": typeof types.OnConsumerStatusChangedDocument,
    "\n  mutation ExtendLease($id: ID!, $ms: Int!, $consumerId: ID, $epoch: Int) {\n    extendLease(id: $id, ms: $ms, consumerId: $consumerId, epoch: $epoch) {\n      ...LeaseFields\n    }\n  }\n": typeof types.ExtendLeaseDocument,
    "\n  mutation DispatchJob(\n    $pool: String!\n    $labels: [String!]\n    $message: DispatchMessageInput!\n    $waitMs: Int\n    $ttlMs: Int\n    $priority: Int\n    $fairnessKey: String\n    $requestKey: String\n  ) {\n    dispatch(\n      pool: $pool\n      labels: $labels\n      message: $message\n      waitMs: $waitMs\n      ttlMs: $ttlMs\n      priority: $priority\n      fairnessKey: $fairnessKey\n      requestKey: $requestKey\n    ) {\n      topic\n      partition\n      offset\n      lease {\n        ...LeaseFields\n      }\n    }\n  }\n": typeof types.DispatchJobDocument,
    "\n  mutation FailLease($id: ID!, $reason: String, $consumerId: ID, $epoch: Int) {\n    failLease(id: $id, reason: $reason, consumerId: $consumerId, epoch: $epoch) {\n      ...LeaseFields\n    }\n  }\n": typeof types.FailLeaseDocument,
    "\n  mutation AttachJob($id: ID!, $message: DispatchMessageInput!) {\n    attachJob(id: $id, message: $message) {\n      id\n      state\n    }\n  }\n": typeof types.AttachJobDocument,
    "\n  query ListPools {\n    pools {\n      ...StatsFields\n    }\n  }\n": typeof types.ListPoolsDocument,
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    role\n    pool\n    consumerId\n    createdAt\n    revokedAt\n  }\n": typeof types.ApiKeyFieldsFragmentDoc,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      token\n      key {\n        ...ApiKeyFields\n      }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  query ListApiKeys {\n    apiKeys {\n      ...ApiKeyFields\n    }\n  }\n": typeof types.ListApiKeysDocument,
    "\n  fragment JobFields on Job {\n    id\n    pool\n    state\n    labels\n    priority\n    fairnessKey\n    attempts\n    key\n    value\n    idempotencyKey\n    leaseId\n    submittedAt\n    endedAt\n    endReason\n    headers {\n      key\n      value\n    }\n    source {\n      topic\n      partition\n      offset\n    }\n  }\n": typeof types.JobFieldsFragmentDoc,
    "\n  mutation SubmitJobs($pool: String!, $jobs: [SubmitJobInput!]!) {\n    submitJobs(pool: $pool, jobs: $jobs) {\n      ...JobFields\n    }\n  }\n": typeof types.SubmitJobsDocument,
    "\n  query GetJob($id: ID!) {\n    job(id: $id) {\n      ...JobFields\n    }\n  }\n": typeof types.GetJobDocument,
    "\n  query ListJobs($pool: String!, $state: JobState, $first: Int, $after: String) {\n    jobs(pool: $pool, state: $state, first: $first, after: $after) {\n      nodes {\n        ...JobFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ListJobsDocument,
    "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      ...JobFields\n    }\n  }\n": typeof types.CancelJobDocument,
    "\n  mutation SetFairnessWeight($pool: String!, $key: String!, $weight: Float!) {\n    setFairnessWeight(pool: $pool, key: $key, weight: $weight) {\n      pool\n      key\n      weight\n      maxInFlight\n      inFlight\n    }\n  }\n": typeof types.SetFairnessWeightDocument,
    "\n  mutation SetConcurrencyLimit($pool: String!, $key: String!, $maxInFlight: Int) {\n    setConcurrencyLimit(pool: $pool, key: $key, maxInFlight: $maxInFlight) {\n      pool\n      key\n      weight\n      maxInFlight\n      inFlight\n    }\n  }\n": typeof types.SetConcurrencyLimitDocument,
    "\n  query GetPoolBacklog($pool: String!, $top: Int) {\n    stats(pool: $pool) {\n      ...StatsFields\n      byPriority: backlogBy(by: PRIORITY, top: $top) {\n        group\n        pending\n        inFlight\n      }\n      byFairnessKey: backlogBy(by: FAIRNESS_KEY, top: $top) {\n        group\n        pending\n        inFlight\n      }\n    }\n  }\n": typeof types.GetPoolBacklogDocument,
    "\n  query GetBacklog($pool: String!, $by: BacklogGrouping!, $top: Int) {\n    stats(pool: $pool) {\n      pool\n      backlog\n      oldestPendingSeconds\n      waitingProducers\n      backlogBy(by: $by, top: $top) {\n        group\n        pending\n        inFlight\n      }\n    }\n  }\n": typeof types.GetBacklogDocument,
    "\n  mutation DrainConsumer($id: ID!) {\n    drainConsumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n": typeof types.DrainConsumerDocument,
    "\n  mutation ResumeConsumer($id: ID!) {\n    resumeConsumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n": typeof types.ResumeConsumerDocument,
    "\n  mutation RemoveConsumer($id: ID!) {\n    removeConsumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n": typeof types.RemoveConsumerDocument,
    "\n  mutation RequeueLease($id: ID!, $reason: String) {\n    requeueLease(id: $id, reason: $reason) {\n      ...LeaseFields\n    }\n  }\n": typeof types.RequeueLeaseDocument,
    "\n  mutation ExpireLease($id: ID!, $reason: String) {\n    expireLease(id: $id, reason: $reason) {\n      ...LeaseFields\n    }\n  }\n": typeof types.ExpireLeaseDocument,
    "\n  mutation ReplayDeadLetter($id: ID!) {\n    replayDeadLetter(id: $id) {\n      ...JobFields\n    }\n  }\n": typeof types.ReplayDeadLetterDocument,
    "\n  mutation DiscardDeadLetter($id: ID!, $reason: String) {\n    discardDeadLetter(id: $id, reason: $reason) {\n      ...JobFields\n    }\n  }\n": typeof types.DiscardDeadLetterDocument,
    "\n  query ListLeasesInFlight($pool: String, $first: Int, $after: String) {\n    leasesInFlight(pool: $pool, first: $first, after: $after) {\n      nodes {\n        id\n        pool\n        jobId\n        topic\n        dispatchedAt\n        ageSeconds\n        expiresInSeconds\n        lease {\n          ...LeaseFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ListLeasesInFlightDocument,
    "\n  query ListDeadLetters($pool: String, $first: Int, $after: String) {\n    deadLetters(pool: $pool, first: $first, after: $after) {\n      nodes {\n        id\n        pool\n        state\n        attempts\n        priority\n        fairnessKey\n        reason\n        deadLetteredAt\n        submittedAt\n        key {\n          text\n          truncated\n        }\n        keyBytes\n        value {\n          text\n          truncated\n        }\n        valueBytes\n        headerCount\n        lastLeaseId\n        lastConsumerId\n        topic\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ListDeadLettersDocument,
    "\n  query ListAuditLog($first: Int, $after: String) {\n    auditLog(first: $first, after: $after) {\n      nodes {\n        id\n        at\n        actorKeyId\n        actorRole\n        action\n        pool\n        target\n        summary\n        requestId\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.ListAuditLogDocument,
    "\n  query ListPoolSamples($pool: String, $since: DateTime) {\n    poolSamples(pool: $pool, since: $since) {\n      pool\n      at\n      intervalSeconds\n      claims\n      completions\n      claimsPerSecond\n      completionsPerSecond\n      waitP50Seconds\n      waitP99Seconds\n      backlog\n      waitingProducers\n      deadLettered\n      free\n      full\n      busy\n      draining\n      offline\n      inFlight\n      capacity\n    }\n  }\n": typeof types.ListPoolSamplesDocument,
};
const documents: Documents = {
    "\n  fragment ConsumerFields on Consumer {\n    id\n    pool\n    topic\n    status\n    declaredStatus\n    alive\n    capacity\n    inFlight\n    labels\n    epoch\n    lastHeartbeatAt\n    freeSince\n    offlineSince\n  }\n": types.ConsumerFieldsFragmentDoc,
    "\n  fragment LeaseFields on Lease {\n    id\n    state\n    attempt\n    claimedAt\n    expiresAt\n    endedAt\n    endReason\n    consumer {\n      ...ConsumerFields\n    }\n  }\n": types.LeaseFieldsFragmentDoc,
    "\n  mutation RegisterConsumer($input: RegisterConsumerInput!) {\n    registerConsumer(input: $input) {\n      ...ConsumerFields\n    }\n  }\n": types.RegisterConsumerDocument,
    "\n  mutation SetStatus($id: ID!, $status: ConsumerStatus!, $epoch: Int!) {\n    setStatus(id: $id, status: $status, epoch: $epoch) {\n      ...ConsumerFields\n    }\n  }\n": types.SetStatusDocument,
    "\n  mutation Heartbeat($id: ID!, $epoch: Int!) {\n    heartbeat(id: $id, epoch: $epoch) {\n      ...ConsumerFields\n    }\n  }\n": types.HeartbeatDocument,
    "\n  subscription ConsumerSession($id: ID!, $epoch: Int!) {\n    consumerSession(id: $id, epoch: $epoch) {\n      kind\n      consumer {\n        ...ConsumerFields\n      }\n    }\n  }\n": types.ConsumerSessionDocument,
    "\n  mutation DeregisterConsumer($id: ID!, $epoch: Int!) {\n    deregisterConsumer(id: $id, epoch: $epoch) {\n      ...ConsumerFields\n    }\n  }\n": types.DeregisterConsumerDocument,
    "\n  mutation ClaimFreeConsumer($pool: String!, $labels: [String!], $ttlMs: Int) {\n    claimFreeConsumer(pool: $pool, labels: $labels, ttlMs: $ttlMs) {\n      ...LeaseFields\n    }\n  }\n": types.ClaimFreeConsumerDocument,
    "\n  mutation CompleteLease($id: ID!, $consumerId: ID, $epoch: Int) {\n    completeLease(id: $id, consumerId: $consumerId, epoch: $epoch) {\n      ...LeaseFields\n    }\n  }\n": types.CompleteLeaseDocument,
    "\n  mutation ReleaseLease($id: ID!) {\n    releaseLease(id: $id) {\n      ...LeaseFields\n    }\n  }\n": types.ReleaseLeaseDocument,
    "\n  query NextFreeConsumer($pool: String!, $labels: [String!]) {\n    nextFreeConsumer(pool: $pool, labels: $labels) {\n      ...ConsumerFields\n    }\n  }\n": types.NextFreeConsumerDocument,
    "\n  query GetConsumer($id: ID!) {\n    consumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n": types.GetConsumerDocument,
    "\n  query ListConsumers($pool: String, $status: ConsumerStatus, $first: Int, $after: String) {\n    consumers(pool: $pool, status: $status, first: $first, after: $after) {\n      nodes {\n        ...ConsumerFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ListConsumersDocument,
    "\n  query GetLease($id: ID!) {\n    lease(id: $id) {\n      ...LeaseFields\n    }\n  }\n": types.GetLeaseDocument,
    "\n  fragment StatsFields on Stats {\n    pool\n    consumers\n    free\n    busy\n    draining\n    offline\n    capacity\n    inFlight\n    waitingProducers\n    claimsLastMinute\n    deadLettered\n    backlog\n    oldestPendingSeconds\n    intakeTopic\n  }\n": types.StatsFieldsFragmentDoc,
    "\n  query GetStats($pool: String) {\n    stats(pool: $pool) {\n      ...StatsFields\n    }\n  }\n": types.GetStatsDocument,
    "\n  subscription OnFreeConsumerAvailable($pool: String!, $labels: [String!]) {\n    freeConsumerAvailable(pool: $pool, labels: $labels) {\n      ...ConsumerFields\n    }\n  }\n": types.OnFreeConsumerAvailableDocument,
    "\n  subscription AwaitFreeConsumer(\n    $pool: String!\n    $labels: [String!]\n    $ttlMs: Int\n    $priority: Int\n    $fairnessKey: String\n    $requestKey: String\n  ) {\n    awaitFreeConsumer(pool: $pool, labels: $labels, ttlMs: $ttlMs, priority: $priority, fairnessKey: $fairnessKey, requestKey: $requestKey) {\n      ...LeaseFields\n    }\n  }\n": types.AwaitFreeConsumerDocument,
    "\n  subscription OnConsumerStatusChanged($pool: String) {\n    consumerStatusChanged(pool: $pool) {\n      ...ConsumerFields\n    }\n  }\n": types.OnConsumerStatusChangedDocument,
    "\n  mutation ExtendLease($id: ID!, $ms: Int!, $consumerId: ID, $epoch: Int) {\n    extendLease(id: $id, ms: $ms, consumerId: $consumerId, epoch: $epoch) {\n      ...LeaseFields\n    }\n  }\n": types.ExtendLeaseDocument,
    "\n  mutation DispatchJob(\n    $pool: String!\n    $labels: [String!]\n    $message: DispatchMessageInput!\n    $waitMs: Int\n    $ttlMs: Int\n    $priority: Int\n    $fairnessKey: String\n    $requestKey: String\n  ) {\n    dispatch(\n      pool: $pool\n      labels: $labels\n      message: $message\n      waitMs: $waitMs\n      ttlMs: $ttlMs\n      priority: $priority\n      fairnessKey: $fairnessKey\n      requestKey: $requestKey\n    ) {\n      topic\n      partition\n      offset\n      lease {\n        ...LeaseFields\n      }\n    }\n  }\n": types.DispatchJobDocument,
    "\n  mutation FailLease($id: ID!, $reason: String, $consumerId: ID, $epoch: Int) {\n    failLease(id: $id, reason: $reason, consumerId: $consumerId, epoch: $epoch) {\n      ...LeaseFields\n    }\n  }\n": types.FailLeaseDocument,
    "\n  mutation AttachJob($id: ID!, $message: DispatchMessageInput!) {\n    attachJob(id: $id, message: $message) {\n      id\n      state\n    }\n  }\n": types.AttachJobDocument,
    "\n  query ListPools {\n    pools {\n      ...StatsFields\n    }\n  }\n": types.ListPoolsDocument,
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    role\n    pool\n    consumerId\n    createdAt\n    revokedAt\n  }\n": types.ApiKeyFieldsFragmentDoc,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      token\n      key {\n        ...ApiKeyFields\n      }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": types.RevokeApiKeyDocument,
    "\n  query ListApiKeys {\n    apiKeys {\n      ...ApiKeyFields\n    }\n  }\n": types.ListApiKeysDocument,
    "\n  fragment JobFields on Job {\n    id\n    pool\n    state\n    labels\n    priority\n    fairnessKey\n    attempts\n    key\n    value\n    idempotencyKey\n    leaseId\n    submittedAt\n    endedAt\n    endReason\n    headers {\n      key\n      value\n    }\n    source {\n      topic\n      partition\n      offset\n    }\n  }\n": types.JobFieldsFragmentDoc,
    "\n  mutation SubmitJobs($pool: String!, $jobs: [SubmitJobInput!]!) {\n    submitJobs(pool: $pool, jobs: $jobs) {\n      ...JobFields\n    }\n  }\n": types.SubmitJobsDocument,
    "\n  query GetJob($id: ID!) {\n    job(id: $id) {\n      ...JobFields\n    }\n  }\n": types.GetJobDocument,
    "\n  query ListJobs($pool: String!, $state: JobState, $first: Int, $after: String) {\n    jobs(pool: $pool, state: $state, first: $first, after: $after) {\n      nodes {\n        ...JobFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ListJobsDocument,
    "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      ...JobFields\n    }\n  }\n": types.CancelJobDocument,
    "\n  mutation SetFairnessWeight($pool: String!, $key: String!, $weight: Float!) {\n    setFairnessWeight(pool: $pool, key: $key, weight: $weight) {\n      pool\n      key\n      weight\n      maxInFlight\n      inFlight\n    }\n  }\n": types.SetFairnessWeightDocument,
    "\n  mutation SetConcurrencyLimit($pool: String!, $key: String!, $maxInFlight: Int) {\n    setConcurrencyLimit(pool: $pool, key: $key, maxInFlight: $maxInFlight) {\n      pool\n      key\n      weight\n      maxInFlight\n      inFlight\n    }\n  }\n": types.SetConcurrencyLimitDocument,
    "\n  query GetPoolBacklog($pool: String!, $top: Int) {\n    stats(pool: $pool) {\n      ...StatsFields\n      byPriority: backlogBy(by: PRIORITY, top: $top) {\n        group\n        pending\n        inFlight\n      }\n      byFairnessKey: backlogBy(by: FAIRNESS_KEY, top: $top) {\n        group\n        pending\n        inFlight\n      }\n    }\n  }\n": types.GetPoolBacklogDocument,
    "\n  query GetBacklog($pool: String!, $by: BacklogGrouping!, $top: Int) {\n    stats(pool: $pool) {\n      pool\n      backlog\n      oldestPendingSeconds\n      waitingProducers\n      backlogBy(by: $by, top: $top) {\n        group\n        pending\n        inFlight\n      }\n    }\n  }\n": types.GetBacklogDocument,
    "\n  mutation DrainConsumer($id: ID!) {\n    drainConsumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n": types.DrainConsumerDocument,
    "\n  mutation ResumeConsumer($id: ID!) {\n    resumeConsumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n": types.ResumeConsumerDocument,
    "\n  mutation RemoveConsumer($id: ID!) {\n    removeConsumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n": types.RemoveConsumerDocument,
    "\n  mutation RequeueLease($id: ID!, $reason: String) {\n    requeueLease(id: $id, reason: $reason) {\n      ...LeaseFields\n    }\n  }\n": types.RequeueLeaseDocument,
    "\n  mutation ExpireLease($id: ID!, $reason: String) {\n    expireLease(id: $id, reason: $reason) {\n      ...LeaseFields\n    }\n  }\n": types.ExpireLeaseDocument,
    "\n  mutation ReplayDeadLetter($id: ID!) {\n    replayDeadLetter(id: $id) {\n      ...JobFields\n    }\n  }\n": types.ReplayDeadLetterDocument,
    "\n  mutation DiscardDeadLetter($id: ID!, $reason: String) {\n    discardDeadLetter(id: $id, reason: $reason) {\n      ...JobFields\n    }\n  }\n": types.DiscardDeadLetterDocument,
    "\n  query ListLeasesInFlight($pool: String, $first: Int, $after: String) {\n    leasesInFlight(pool: $pool, first: $first, after: $after) {\n      nodes {\n        id\n        pool\n        jobId\n        topic\n        dispatchedAt\n        ageSeconds\n        expiresInSeconds\n        lease {\n          ...LeaseFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ListLeasesInFlightDocument,
    "\n  query ListDeadLetters($pool: String, $first: Int, $after: String) {\n    deadLetters(pool: $pool, first: $first, after: $after) {\n      nodes {\n        id\n        pool\n        state\n        attempts\n        priority\n        fairnessKey\n        reason\n        deadLetteredAt\n        submittedAt\n        key {\n          text\n          truncated\n        }\n        keyBytes\n        value {\n          text\n          truncated\n        }\n        valueBytes\n        headerCount\n        lastLeaseId\n        lastConsumerId\n        topic\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ListDeadLettersDocument,
    "\n  query ListAuditLog($first: Int, $after: String) {\n    auditLog(first: $first, after: $after) {\n      nodes {\n        id\n        at\n        actorKeyId\n        actorRole\n        action\n        pool\n        target\n        summary\n        requestId\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.ListAuditLogDocument,
    "\n  query ListPoolSamples($pool: String, $since: DateTime) {\n    poolSamples(pool: $pool, since: $since) {\n      pool\n      at\n      intervalSeconds\n      claims\n      completions\n      claimsPerSecond\n      completionsPerSecond\n      waitP50Seconds\n      waitP99Seconds\n      backlog\n      waitingProducers\n      deadLettered\n      free\n      full\n      busy\n      draining\n      offline\n      inFlight\n      capacity\n    }\n  }\n": types.ListPoolSamplesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsumerFields on Consumer {\n    id\n    pool\n    topic\n    status\n    declaredStatus\n    alive\n    capacity\n    inFlight\n    labels\n    epoch\n    lastHeartbeatAt\n    freeSince\n    offlineSince\n  }\n"): (typeof documents)["\n  fragment ConsumerFields on Consumer {\n    id\n    pool\n    topic\n    status\n    declaredStatus\n    alive\n    capacity\n    inFlight\n    labels\n    epoch\n    lastHeartbeatAt\n    freeSince\n    offlineSince\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LeaseFields on Lease {\n    id\n    state\n    attempt\n    claimedAt\n    expiresAt\n    endedAt\n    endReason\n    consumer {\n      ...ConsumerFields\n    }\n  }\n"): (typeof documents)["\n  fragment LeaseFields on Lease {\n    id\n    state\n    attempt\n    claimedAt\n    expiresAt\n    endedAt\n    endReason\n    consumer {\n      ...ConsumerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterConsumer($input: RegisterConsumerInput!) {\n    registerConsumer(input: $input) {\n      ...ConsumerFields\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterConsumer($input: RegisterConsumerInput!) {\n    registerConsumer(input: $input) {\n      ...ConsumerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetStatus($id: ID!, $status: ConsumerStatus!, $epoch: Int!) {\n    setStatus(id: $id, status: $status, epoch: $epoch) {\n      ...ConsumerFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetStatus($id: ID!, $status: ConsumerStatus!, $epoch: Int!) {\n    setStatus(id: $id, status: $status, epoch: $epoch) {\n      ...ConsumerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Heartbeat($id: ID!, $epoch: Int!) {\n    heartbeat(id: $id, epoch: $epoch) {\n      ...ConsumerFields\n    }\n  }\n"): (typeof documents)["\n  mutation Heartbeat($id: ID!, $epoch: Int!) {\n    heartbeat(id: $id, epoch: $epoch) {\n      ...ConsumerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsumerSession($id: ID!, $epoch: Int!) {\n    consumerSession(id: $id, epoch: $epoch) {\n      kind\n      consumer {\n        ...ConsumerFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ConsumerSession($id: ID!, $epoch: Int!) {\n    consumerSession(id: $id, epoch: $epoch) {\n      kind\n      consumer {\n        ...ConsumerFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeregisterConsumer($id: ID!, $epoch: Int!) {\n    deregisterConsumer(id: $id, epoch: $epoch) {\n      ...ConsumerFields\n    }\n  }\n"): (typeof documents)["\n  mutation DeregisterConsumer($id: ID!, $epoch: Int!) {\n    deregisterConsumer(id: $id, epoch: $epoch) {\n      ...ConsumerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClaimFreeConsumer($pool: String!, $labels: [String!], $ttlMs: Int) {\n    claimFreeConsumer(pool: $pool, labels: $labels, ttlMs: $ttlMs) {\n      ...LeaseFields\n    }\n  }\n"): (typeof documents)["\n  mutation ClaimFreeConsumer($pool: String!, $labels: [String!], $ttlMs: Int) {\n    claimFreeConsumer(pool: $pool, labels: $labels, ttlMs: $ttlMs) {\n      ...LeaseFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteLease($id: ID!, $consumerId: ID, $epoch: Int) {\n    completeLease(id: $id, consumerId: $consumerId, epoch: $epoch) {\n      ...LeaseFields\n    }\n  }\n"): (typeof documents)["\n  mutation CompleteLease($id: ID!, $consumerId: ID, $epoch: Int) {\n    completeLease(id: $id, consumerId: $consumerId, epoch: $epoch) {\n      ...LeaseFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReleaseLease($id: ID!) {\n    releaseLease(id: $id) {\n      ...LeaseFields\n    }\n  }\n"): (typeof documents)["\n  mutation ReleaseLease($id: ID!) {\n    releaseLease(id: $id) {\n      ...LeaseFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NextFreeConsumer($pool: String!, $labels: [String!]) {\n    nextFreeConsumer(pool: $pool, labels: $labels) {\n      ...ConsumerFields\n    }\n  }\n"): (typeof documents)["\n  query NextFreeConsumer($pool: String!, $labels: [String!]) {\n    nextFreeConsumer(pool: $pool, labels: $labels) {\n      ...ConsumerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetConsumer($id: ID!) {\n    consumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n"): (typeof documents)["\n  query GetConsumer($id: ID!) {\n    consumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListConsumers($pool: String, $status: ConsumerStatus, $first: Int, $after: String) {\n    consumers(pool: $pool, status: $status, first: $first, after: $after) {\n      nodes {\n        ...ConsumerFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query ListConsumers($pool: String, $status: ConsumerStatus, $first: Int, $after: String) {\n    consumers(pool: $pool, status: $status, first: $first, after: $after) {\n      nodes {\n        ...ConsumerFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetLease($id: ID!) {\n    lease(id: $id) {\n      ...LeaseFields\n    }\n  }\n"): (typeof documents)["\n  query GetLease($id: ID!) {\n    lease(id: $id) {\n      ...LeaseFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StatsFields on Stats {\n    pool\n    consumers\n    free\n    busy\n    draining\n    offline\n    capacity\n    inFlight\n    waitingProducers\n    claimsLastMinute\n    deadLettered\n    backlog\n    oldestPendingSeconds\n    intakeTopic\n  }\n"): (typeof documents)["\n  fragment StatsFields on Stats {\n    pool\n    consumers\n    free\n    busy\n    draining\n    offline\n    capacity\n    inFlight\n    waitingProducers\n    claimsLastMinute\n    deadLettered\n    backlog\n    oldestPendingSeconds\n    intakeTopic\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetStats($pool: String) {\n    stats(pool: $pool) {\n      ...StatsFields\n    }\n  }\n"): (typeof documents)["\n  query GetStats($pool: String) {\n    stats(pool: $pool) {\n      ...StatsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnFreeConsumerAvailable($pool: String!, $labels: [String!]) {\n    freeConsumerAvailable(pool: $pool, labels: $labels) {\n      ...ConsumerFields\n    }\n  }\n"): (typeof documents)["\n  subscription OnFreeConsumerAvailable($pool: String!, $labels: [String!]) {\n    freeConsumerAvailable(pool: $pool, labels: $labels) {\n      ...ConsumerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AwaitFreeConsumer(\n    $pool: String!\n    $labels: [String!]\n    $ttlMs: Int\n    $priority: Int\n    $fairnessKey: String\n    $requestKey: String\n  ) {\n    awaitFreeConsumer(pool: $pool, labels: $labels, ttlMs: $ttlMs, priority: $priority, fairnessKey: $fairnessKey, requestKey: $requestKey) {\n      ...LeaseFields\n    }\n  }\n"): (typeof documents)["\n  subscription AwaitFreeConsumer(\n    $pool: String!\n    $labels: [String!]\n    $ttlMs: Int\n    $priority: Int\n    $fairnessKey: String\n    $requestKey: String\n  ) {\n    awaitFreeConsumer(pool: $pool, labels: $labels, ttlMs: $ttlMs, priority: $priority, fairnessKey: $fairnessKey, requestKey: $requestKey) {\n      ...LeaseFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription OnConsumerStatusChanged($pool: String) {\n    consumerStatusChanged(pool: $pool) {\n      ...ConsumerFields\n    }\n  }\n"): (typeof documents)["\n  subscription OnConsumerStatusChanged($pool: String) {\n    consumerStatusChanged(pool: $pool) {\n      ...ConsumerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExtendLease($id: ID!, $ms: Int!, $consumerId: ID, $epoch: Int) {\n    extendLease(id: $id, ms: $ms, consumerId: $consumerId, epoch: $epoch) {\n      ...LeaseFields\n    }\n  }\n"): (typeof documents)["\n  mutation ExtendLease($id: ID!, $ms: Int!, $consumerId: ID, $epoch: Int) {\n    extendLease(id: $id, ms: $ms, consumerId: $consumerId, epoch: $epoch) {\n      ...LeaseFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DispatchJob(\n    $pool: String!\n    $labels: [String!]\n    $message: DispatchMessageInput!\n    $waitMs: Int\n    $ttlMs: Int\n    $priority: Int\n    $fairnessKey: String\n    $requestKey: String\n  ) {\n    dispatch(\n      pool: $pool\n      labels: $labels\n      message: $message\n      waitMs: $waitMs\n      ttlMs: $ttlMs\n      priority: $priority\n      fairnessKey: $fairnessKey\n      requestKey: $requestKey\n    ) {\n      topic\n      partition\n      offset\n      lease {\n        ...LeaseFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation DispatchJob(\n    $pool: String!\n    $labels: [String!]\n    $message: DispatchMessageInput!\n    $waitMs: Int\n    $ttlMs: Int\n    $priority: Int\n    $fairnessKey: String\n    $requestKey: String\n  ) {\n    dispatch(\n      pool: $pool\n      labels: $labels\n      message: $message\n      waitMs: $waitMs\n      ttlMs: $ttlMs\n      priority: $priority\n      fairnessKey: $fairnessKey\n      requestKey: $requestKey\n    ) {\n      topic\n      partition\n      offset\n      lease {\n        ...LeaseFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FailLease($id: ID!, $reason: String, $consumerId: ID, $epoch: Int) {\n    failLease(id: $id, reason: $reason, consumerId: $consumerId, epoch: $epoch) {\n      ...LeaseFields\n    }\n  }\n"): (typeof documents)["\n  mutation FailLease($id: ID!, $reason: String, $consumerId: ID, $epoch: Int) {\n    failLease(id: $id, reason: $reason, consumerId: $consumerId, epoch: $epoch) {\n      ...LeaseFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AttachJob($id: ID!, $message: DispatchMessageInput!) {\n    attachJob(id: $id, message: $message) {\n      id\n      state\n    }\n  }\n"): (typeof documents)["\n  mutation AttachJob($id: ID!, $message: DispatchMessageInput!) {\n    attachJob(id: $id, message: $message) {\n      id\n      state\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListPools {\n    pools {\n      ...StatsFields\n    }\n  }\n"): (typeof documents)["\n  query ListPools {\n    pools {\n      ...StatsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ApiKeyFields on ApiKey {\n    id\n    role\n    pool\n    consumerId\n    createdAt\n    revokedAt\n  }\n"): (typeof documents)["\n  fragment ApiKeyFields on ApiKey {\n    id\n    role\n    pool\n    consumerId\n    createdAt\n    revokedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      token\n      key {\n        ...ApiKeyFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      token\n      key {\n        ...ApiKeyFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListApiKeys {\n    apiKeys {\n      ...ApiKeyFields\n    }\n  }\n"): (typeof documents)["\n  query ListApiKeys {\n    apiKeys {\n      ...ApiKeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment JobFields on Job {\n    id\n    pool\n    state\n    labels\n    priority\n    fairnessKey\n    attempts\n    key\n    value\n    idempotencyKey\n    leaseId\n    submittedAt\n    endedAt\n    endReason\n    headers {\n      key\n      value\n    }\n    source {\n      topic\n      partition\n      offset\n    }\n  }\n"): (typeof documents)["\n  fragment JobFields on Job {\n    id\n    pool\n    state\n    labels\n    priority\n    fairnessKey\n    attempts\n    key\n    value\n    idempotencyKey\n    leaseId\n    submittedAt\n    endedAt\n    endReason\n    headers {\n      key\n      value\n    }\n    source {\n      topic\n      partition\n      offset\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SubmitJobs($pool: String!, $jobs: [SubmitJobInput!]!) {\n    submitJobs(pool: $pool, jobs: $jobs) {\n      ...JobFields\n    }\n  }\n"): (typeof documents)["\n  mutation SubmitJobs($pool: String!, $jobs: [SubmitJobInput!]!) {\n    submitJobs(pool: $pool, jobs: $jobs) {\n      ...JobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetJob($id: ID!) {\n    job(id: $id) {\n      ...JobFields\n    }\n  }\n"): (typeof documents)["\n  query GetJob($id: ID!) {\n    job(id: $id) {\n      ...JobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListJobs($pool: String!, $state: JobState, $first: Int, $after: String) {\n    jobs(pool: $pool, state: $state, first: $first, after: $after) {\n      nodes {\n        ...JobFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query ListJobs($pool: String!, $state: JobState, $first: Int, $after: String) {\n    jobs(pool: $pool, state: $state, first: $first, after: $after) {\n      nodes {\n        ...JobFields\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      ...JobFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelJob($id: ID!) {\n    cancelJob(id: $id) {\n      ...JobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetFairnessWeight($pool: String!, $key: String!, $weight: Float!) {\n    setFairnessWeight(pool: $pool, key: $key, weight: $weight) {\n      pool\n      key\n      weight\n      maxInFlight\n      inFlight\n    }\n  }\n"): (typeof documents)["\n  mutation SetFairnessWeight($pool: String!, $key: String!, $weight: Float!) {\n    setFairnessWeight(pool: $pool, key: $key, weight: $weight) {\n      pool\n      key\n      weight\n      maxInFlight\n      inFlight\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetConcurrencyLimit($pool: String!, $key: String!, $maxInFlight: Int) {\n    setConcurrencyLimit(pool: $pool, key: $key, maxInFlight: $maxInFlight) {\n      pool\n      key\n      weight\n      maxInFlight\n      inFlight\n    }\n  }\n"): (typeof documents)["\n  mutation SetConcurrencyLimit($pool: String!, $key: String!, $maxInFlight: Int) {\n    setConcurrencyLimit(pool: $pool, key: $key, maxInFlight: $maxInFlight) {\n      pool\n      key\n      weight\n      maxInFlight\n      inFlight\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetPoolBacklog($pool: String!, $top: Int) {\n    stats(pool: $pool) {\n      ...StatsFields\n      byPriority: backlogBy(by: PRIORITY, top: $top) {\n        group\n        pending\n        inFlight\n      }\n      byFairnessKey: backlogBy(by: FAIRNESS_KEY, top: $top) {\n        group\n        pending\n        inFlight\n      }\n    }\n  }\n"): (typeof documents)["\n  query GetPoolBacklog($pool: String!, $top: Int) {\n    stats(pool: $pool) {\n      ...StatsFields\n      byPriority: backlogBy(by: PRIORITY, top: $top) {\n        group\n        pending\n        inFlight\n      }\n      byFairnessKey: backlogBy(by: FAIRNESS_KEY, top: $top) {\n        group\n        pending\n        inFlight\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GetBacklog($pool: String!, $by: BacklogGrouping!, $top: Int) {\n    stats(pool: $pool) {\n      pool\n      backlog\n      oldestPendingSeconds\n      waitingProducers\n      backlogBy(by: $by, top: $top) {\n        group\n        pending\n        inFlight\n      }\n    }\n  }\n"): (typeof documents)["\n  query GetBacklog($pool: String!, $by: BacklogGrouping!, $top: Int) {\n    stats(pool: $pool) {\n      pool\n      backlog\n      oldestPendingSeconds\n      waitingProducers\n      backlogBy(by: $by, top: $top) {\n        group\n        pending\n        inFlight\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DrainConsumer($id: ID!) {\n    drainConsumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n"): (typeof documents)["\n  mutation DrainConsumer($id: ID!) {\n    drainConsumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResumeConsumer($id: ID!) {\n    resumeConsumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n"): (typeof documents)["\n  mutation ResumeConsumer($id: ID!) {\n    resumeConsumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveConsumer($id: ID!) {\n    removeConsumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveConsumer($id: ID!) {\n    removeConsumer(id: $id) {\n      ...ConsumerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequeueLease($id: ID!, $reason: String) {\n    requeueLease(id: $id, reason: $reason) {\n      ...LeaseFields\n    }\n  }\n"): (typeof documents)["\n  mutation RequeueLease($id: ID!, $reason: String) {\n    requeueLease(id: $id, reason: $reason) {\n      ...LeaseFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ExpireLease($id: ID!, $reason: String) {\n    expireLease(id: $id, reason: $reason) {\n      ...LeaseFields\n    }\n  }\n"): (typeof documents)["\n  mutation ExpireLease($id: ID!, $reason: String) {\n    expireLease(id: $id, reason: $reason) {\n      ...LeaseFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReplayDeadLetter($id: ID!) {\n    replayDeadLetter(id: $id) {\n      ...JobFields\n    }\n  }\n"): (typeof documents)["\n  mutation ReplayDeadLetter($id: ID!) {\n    replayDeadLetter(id: $id) {\n      ...JobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DiscardDeadLetter($id: ID!, $reason: String) {\n    discardDeadLetter(id: $id, reason: $reason) {\n      ...JobFields\n    }\n  }\n"): (typeof documents)["\n  mutation DiscardDeadLetter($id: ID!, $reason: String) {\n    discardDeadLetter(id: $id, reason: $reason) {\n      ...JobFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListLeasesInFlight($pool: String, $first: Int, $after: String) {\n    leasesInFlight(pool: $pool, first: $first, after: $after) {\n      nodes {\n        id\n        pool\n        jobId\n        topic\n        dispatchedAt\n        ageSeconds\n        expiresInSeconds\n        lease {\n          ...LeaseFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query ListLeasesInFlight($pool: String, $first: Int, $after: String) {\n    leasesInFlight(pool: $pool, first: $first, after: $after) {\n      nodes {\n        id\n        pool\n        jobId\n        topic\n        dispatchedAt\n        ageSeconds\n        expiresInSeconds\n        lease {\n          ...LeaseFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListDeadLetters($pool: String, $first: Int, $after: String) {\n    deadLetters(pool: $pool, first: $first, after: $after) {\n      nodes {\n        id\n        pool\n        state\n        attempts\n        priority\n        fairnessKey\n        reason\n        deadLetteredAt\n        submittedAt\n        key {\n          text\n          truncated\n        }\n        keyBytes\n        value {\n          text\n          truncated\n        }\n        valueBytes\n        headerCount\n        lastLeaseId\n        lastConsumerId\n        topic\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query ListDeadLetters($pool: String, $first: Int, $after: String) {\n    deadLetters(pool: $pool, first: $first, after: $after) {\n      nodes {\n        id\n        pool\n        state\n        attempts\n        priority\n        fairnessKey\n        reason\n        deadLetteredAt\n        submittedAt\n        key {\n          text\n          truncated\n        }\n        keyBytes\n        value {\n          text\n          truncated\n        }\n        valueBytes\n        headerCount\n        lastLeaseId\n        lastConsumerId\n        topic\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListAuditLog($first: Int, $after: String) {\n    auditLog(first: $first, after: $after) {\n      nodes {\n        id\n        at\n        actorKeyId\n        actorRole\n        action\n        pool\n        target\n        summary\n        requestId\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query ListAuditLog($first: Int, $after: String) {\n    auditLog(first: $first, after: $after) {\n      nodes {\n        id\n        at\n        actorKeyId\n        actorRole\n        action\n        pool\n        target\n        summary\n        requestId\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ListPoolSamples($pool: String, $since: DateTime) {\n    poolSamples(pool: $pool, since: $since) {\n      pool\n      at\n      intervalSeconds\n      claims\n      completions\n      claimsPerSecond\n      completionsPerSecond\n      waitP50Seconds\n      waitP99Seconds\n      backlog\n      waitingProducers\n      deadLettered\n      free\n      full\n      busy\n      draining\n      offline\n      inFlight\n      capacity\n    }\n  }\n"): (typeof documents)["\n  query ListPoolSamples($pool: String, $since: DateTime) {\n    poolSamples(pool: $pool, since: $since) {\n      pool\n      at\n      intervalSeconds\n      claims\n      completions\n      claimsPerSecond\n      completionsPerSecond\n      waitP50Seconds\n      waitP99Seconds\n      backlog\n      waitingProducers\n      deadLettered\n      free\n      full\n      busy\n      draining\n      offline\n      inFlight\n      capacity\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;