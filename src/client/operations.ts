// Every operation the SDK and the tests send, typed by GraphQL Code Generator (`npm run codegen`).
import { graphql } from './generated/gql.js';

export const ConsumerFields = graphql(`
  fragment ConsumerFields on Consumer {
    id
    pool
    topic
    status
    declaredStatus
    alive
    capacity
    inFlight
    labels
    epoch
    lastHeartbeatAt
    freeSince
    offlineSince
  }
`);

export const LeaseFields = graphql(`
  fragment LeaseFields on Lease {
    id
    state
    attempt
    claimedAt
    expiresAt
    endedAt
    endReason
    consumer {
      ...ConsumerFields
    }
  }
`);

export const RegisterConsumer = graphql(`
  mutation RegisterConsumer($input: RegisterConsumerInput!) {
    registerConsumer(input: $input) {
      ...ConsumerFields
    }
  }
`);

export const SetStatus = graphql(`
  mutation SetStatus($id: ID!, $status: ConsumerStatus!, $epoch: Int!) {
    setStatus(id: $id, status: $status, epoch: $epoch) {
      ...ConsumerFields
    }
  }
`);

export const Heartbeat = graphql(`
  mutation Heartbeat($id: ID!, $epoch: Int!) {
    heartbeat(id: $id, epoch: $epoch) {
      ...ConsumerFields
    }
  }
`);

export const ConsumerSession = graphql(`
  subscription ConsumerSession($id: ID!, $epoch: Int!) {
    consumerSession(id: $id, epoch: $epoch) {
      kind
      consumer {
        ...ConsumerFields
      }
    }
  }
`);

export const DeregisterConsumer = graphql(`
  mutation DeregisterConsumer($id: ID!, $epoch: Int!) {
    deregisterConsumer(id: $id, epoch: $epoch) {
      ...ConsumerFields
    }
  }
`);

export const ClaimFreeConsumer = graphql(`
  mutation ClaimFreeConsumer($pool: String!, $labels: [String!], $ttlMs: Int) {
    claimFreeConsumer(pool: $pool, labels: $labels, ttlMs: $ttlMs) {
      ...LeaseFields
    }
  }
`);

export const CompleteLease = graphql(`
  mutation CompleteLease($id: ID!, $consumerId: ID, $epoch: Int) {
    completeLease(id: $id, consumerId: $consumerId, epoch: $epoch) {
      ...LeaseFields
    }
  }
`);

export const ReleaseLease = graphql(`
  mutation ReleaseLease($id: ID!) {
    releaseLease(id: $id) {
      ...LeaseFields
    }
  }
`);

export const NextFreeConsumer = graphql(`
  query NextFreeConsumer($pool: String!, $labels: [String!]) {
    nextFreeConsumer(pool: $pool, labels: $labels) {
      ...ConsumerFields
    }
  }
`);

export const GetConsumer = graphql(`
  query GetConsumer($id: ID!) {
    consumer(id: $id) {
      ...ConsumerFields
    }
  }
`);

export const ListConsumers = graphql(`
  query ListConsumers($pool: String, $status: ConsumerStatus, $first: Int, $after: String) {
    consumers(pool: $pool, status: $status, first: $first, after: $after) {
      nodes {
        ...ConsumerFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const GetLease = graphql(`
  query GetLease($id: ID!) {
    lease(id: $id) {
      ...LeaseFields
    }
  }
`);

export const StatsFields = graphql(`
  fragment StatsFields on Stats {
    pool
    consumers
    free
    busy
    draining
    offline
    capacity
    inFlight
    waitingProducers
    claimsLastMinute
    deadLettered
    backlog
    oldestPendingSeconds
    intakeTopic
  }
`);

export const GetStats = graphql(`
  query GetStats($pool: String) {
    stats(pool: $pool) {
      ...StatsFields
    }
  }
`);

export const OnFreeConsumerAvailable = graphql(`
  subscription OnFreeConsumerAvailable($pool: String!, $labels: [String!]) {
    freeConsumerAvailable(pool: $pool, labels: $labels) {
      ...ConsumerFields
    }
  }
`);

export const AwaitFreeConsumer = graphql(`
  subscription AwaitFreeConsumer(
    $pool: String!
    $labels: [String!]
    $ttlMs: Int
    $priority: Int
    $fairnessKey: String
    $requestKey: String
  ) {
    awaitFreeConsumer(pool: $pool, labels: $labels, ttlMs: $ttlMs, priority: $priority, fairnessKey: $fairnessKey, requestKey: $requestKey) {
      ...LeaseFields
    }
  }
`);

export const OnConsumerStatusChanged = graphql(`
  subscription OnConsumerStatusChanged($pool: String) {
    consumerStatusChanged(pool: $pool) {
      ...ConsumerFields
    }
  }
`);

export const ExtendLease = graphql(`
  mutation ExtendLease($id: ID!, $ms: Int!, $consumerId: ID, $epoch: Int) {
    extendLease(id: $id, ms: $ms, consumerId: $consumerId, epoch: $epoch) {
      ...LeaseFields
    }
  }
`);

export const DispatchJob = graphql(`
  mutation DispatchJob(
    $pool: String!
    $labels: [String!]
    $message: DispatchMessageInput!
    $waitMs: Int
    $ttlMs: Int
    $priority: Int
    $fairnessKey: String
    $requestKey: String
  ) {
    dispatch(
      pool: $pool
      labels: $labels
      message: $message
      waitMs: $waitMs
      ttlMs: $ttlMs
      priority: $priority
      fairnessKey: $fairnessKey
      requestKey: $requestKey
    ) {
      topic
      partition
      offset
      lease {
        ...LeaseFields
      }
    }
  }
`);

export const FailLease = graphql(`
  mutation FailLease($id: ID!, $reason: String, $consumerId: ID, $epoch: Int) {
    failLease(id: $id, reason: $reason, consumerId: $consumerId, epoch: $epoch) {
      ...LeaseFields
    }
  }
`);

export const AttachJob = graphql(`
  mutation AttachJob($id: ID!, $message: DispatchMessageInput!) {
    attachJob(id: $id, message: $message) {
      id
      state
    }
  }
`);

export const ListPools = graphql(`
  query ListPools {
    pools {
      ...StatsFields
    }
  }
`);

export const ApiKeyFields = graphql(`
  fragment ApiKeyFields on ApiKey {
    id
    role
    pool
    consumerId
    createdAt
    revokedAt
  }
`);

export const CreateApiKey = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      token
      key {
        ...ApiKeyFields
      }
    }
  }
`);

export const RevokeApiKey = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`);

export const ListApiKeys = graphql(`
  query ListApiKeys {
    apiKeys {
      ...ApiKeyFields
    }
  }
`);

export const JobFields = graphql(`
  fragment JobFields on Job {
    id
    pool
    state
    labels
    priority
    fairnessKey
    attempts
    key
    value
    idempotencyKey
    leaseId
    submittedAt
    endedAt
    endReason
    headers {
      key
      value
    }
    source {
      topic
      partition
      offset
    }
  }
`);

export const SubmitJobs = graphql(`
  mutation SubmitJobs($pool: String!, $jobs: [SubmitJobInput!]!) {
    submitJobs(pool: $pool, jobs: $jobs) {
      ...JobFields
    }
  }
`);

export const GetJob = graphql(`
  query GetJob($id: ID!) {
    job(id: $id) {
      ...JobFields
    }
  }
`);

export const ListJobs = graphql(`
  query ListJobs($pool: String!, $state: JobState, $first: Int, $after: String) {
    jobs(pool: $pool, state: $state, first: $first, after: $after) {
      nodes {
        ...JobFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const CancelJob = graphql(`
  mutation CancelJob($id: ID!) {
    cancelJob(id: $id) {
      ...JobFields
    }
  }
`);

export const SetFairnessWeight = graphql(`
  mutation SetFairnessWeight($pool: String!, $key: String!, $weight: Float!) {
    setFairnessWeight(pool: $pool, key: $key, weight: $weight) {
      pool
      key
      weight
      maxInFlight
      inFlight
    }
  }
`);

export const SetConcurrencyLimit = graphql(`
  mutation SetConcurrencyLimit($pool: String!, $key: String!, $maxInFlight: Int) {
    setConcurrencyLimit(pool: $pool, key: $key, maxInFlight: $maxInFlight) {
      pool
      key
      weight
      maxInFlight
      inFlight
    }
  }
`);

export const GetPoolBacklog = graphql(`
  query GetPoolBacklog($pool: String!, $top: Int) {
    stats(pool: $pool) {
      ...StatsFields
      byPriority: backlogBy(by: PRIORITY, top: $top) {
        group
        pending
        inFlight
      }
      byFairnessKey: backlogBy(by: FAIRNESS_KEY, top: $top) {
        group
        pending
        inFlight
      }
    }
  }
`);

export const GetBacklog = graphql(`
  query GetBacklog($pool: String!, $by: BacklogGrouping!, $top: Int) {
    stats(pool: $pool) {
      pool
      backlog
      oldestPendingSeconds
      waitingProducers
      backlogBy(by: $by, top: $top) {
        group
        pending
        inFlight
      }
    }
  }
`);

// ---- The operator console (ADMIN keys): actions, audited, and what they are judged by ----

export const DrainConsumer = graphql(`
  mutation DrainConsumer($id: ID!) {
    drainConsumer(id: $id) {
      ...ConsumerFields
    }
  }
`);

export const ResumeConsumer = graphql(`
  mutation ResumeConsumer($id: ID!) {
    resumeConsumer(id: $id) {
      ...ConsumerFields
    }
  }
`);

export const RemoveConsumer = graphql(`
  mutation RemoveConsumer($id: ID!) {
    removeConsumer(id: $id) {
      ...ConsumerFields
    }
  }
`);

export const RequeueLease = graphql(`
  mutation RequeueLease($id: ID!, $reason: String) {
    requeueLease(id: $id, reason: $reason) {
      ...LeaseFields
    }
  }
`);

export const ExpireLease = graphql(`
  mutation ExpireLease($id: ID!, $reason: String) {
    expireLease(id: $id, reason: $reason) {
      ...LeaseFields
    }
  }
`);

export const ReplayDeadLetter = graphql(`
  mutation ReplayDeadLetter($id: ID!) {
    replayDeadLetter(id: $id) {
      ...JobFields
    }
  }
`);

export const DiscardDeadLetter = graphql(`
  mutation DiscardDeadLetter($id: ID!, $reason: String) {
    discardDeadLetter(id: $id, reason: $reason) {
      ...JobFields
    }
  }
`);

export const ListLeasesInFlight = graphql(`
  query ListLeasesInFlight($pool: String, $first: Int, $after: String) {
    leasesInFlight(pool: $pool, first: $first, after: $after) {
      nodes {
        id
        pool
        jobId
        topic
        dispatchedAt
        ageSeconds
        expiresInSeconds
        lease {
          ...LeaseFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ListDeadLetters = graphql(`
  query ListDeadLetters($pool: String, $first: Int, $after: String) {
    deadLetters(pool: $pool, first: $first, after: $after) {
      nodes {
        id
        pool
        state
        attempts
        priority
        fairnessKey
        reason
        deadLetteredAt
        submittedAt
        key {
          text
          truncated
        }
        keyBytes
        value {
          text
          truncated
        }
        valueBytes
        headerCount
        lastLeaseId
        lastConsumerId
        topic
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ListAuditLog = graphql(`
  query ListAuditLog($first: Int, $after: String) {
    auditLog(first: $first, after: $after) {
      nodes {
        id
        at
        actorKeyId
        actorRole
        action
        pool
        target
        summary
        requestId
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ListPoolSamples = graphql(`
  query ListPoolSamples($pool: String, $since: DateTime) {
    poolSamples(pool: $pool, since: $since) {
      pool
      at
      intervalSeconds
      claims
      completions
      claimsPerSecond
      completionsPerSecond
      waitP50Seconds
      waitP99Seconds
      backlog
      waitingProducers
      deadLettered
      free
      full
      busy
      draining
      offline
      inFlight
      capacity
    }
  }
`);
