// The operator console: pools and their consumers, live; the leases in flight, the backlog and the
// dead letters, each with the actions an operator takes on them (asked for in the page, run as the
// same ADMIN-only, audited mutations the CLI runs); each pool's last hour as charts, from the
// samples the server keeps; and the audit log. Changes arrive over graphql-ws (the
// graphql-transport-ws protocol, spoken by hand: no bundler, no dependency); the rest is read over
// HTTP every few seconds. Data is only ever rendered as text nodes, never parsed as HTML.
import { lineChart } from './charts.js';
import {
  actionButton,
  auditPanel,
  backlogPanel,
  confirmAction,
  deadLettersPanel,
  drainAction,
  leasesPanel,
  removeAction,
  resumeAction,
} from './console.js';
import { ago, byId, duration, el } from './dom.js';

const endpoint = '/graphql';
const keyName = 'handoff-api-key';
const figuresEveryMs = 3_000;
// Heartbeats are not announced (only changes are): re-reading keeps heartbeat ages true.
const consumersEveryMs = 10_000;
const rateSeconds = 10;
const statuses = ['FREE', 'BUSY', 'DRAINING', 'OFFLINE'];
/** How many of each listing the page reads (the CLI lists them all). */
const shown = { leases: 200, deadLetters: 100, pending: 10, audit: 20 };

const consumerFields = 'id pool status declaredStatus capacity inFlight labels lastHeartbeatAt offlineSince topic';
const settingsQuery =
  'query DashboardSettings { consoleSettings { sampleIntervalSeconds historySeconds offlineFoldSeconds maxAttempts heartbeatTtlSeconds } }';
// Listing sizes as variables: the query-cost limit multiplies a literal `first` into the cost.
const figuresQuery = `query DashboardFigures($leases: Int, $deadLetters: Int, $audit: Int) {
  pools { pool consumers free busy draining offline capacity inFlight waitingProducers backlog oldestPendingSeconds claimsLastMinute deadLettered }
  leasesInFlight(first: $leases) { nodes { id pool jobId ageSeconds expiresInSeconds lease { state attempt consumer { id } } } pageInfo { hasNextPage } }
  deadLetters(first: $deadLetters) {
    nodes { id pool state attempts reason deadLetteredAt valueBytes value { text truncated } lastConsumerId topic }
    pageInfo { hasNextPage }
  }
  auditLog(first: $audit) { nodes { id at actorKeyId actorRole action pool target summary } }
}`;
const pendingQuery = `query DashboardPending($pool: String!, $first: Int) {
  jobs(pool: $pool, state: PENDING, first: $first) { nodes { id priority fairnessKey labels submittedAt } }
}`;
const samplesQuery = `query DashboardSamples($since: DateTime) {
  poolSamples(since: $since) { pool at intervalSeconds claimsPerSecond completionsPerSecond waitP50Seconds waitP99Seconds backlog waitingProducers free full busy draining offline }
}`;
const consumersQuery = `query DashboardConsumers($first: Int, $after: String) {
  consumers(first: $first, after: $after) { nodes { ${consumerFields} } pageInfo { hasNextPage endCursor } }
}`;
const changesSubscription = `subscription DashboardChanges { consumerStatusChanged { ${consumerFields} } }`;

/**
 * @typedef {import('./console.js').Consumer} Consumer
 * @typedef {import('./console.js').LeaseInFlight} LeaseInFlight
 * @typedef {import('./console.js').DeadLetter} DeadLetter
 * @typedef {import('./console.js').PendingJob} PendingJob
 * @typedef {import('./console.js').AuditEntry} AuditEntry
 * @typedef {import('./console.js').Action} Action
 * @typedef {{ pool: string, consumers: number, free: number, busy: number, draining: number, offline: number,
 *   capacity: number, inFlight: number, waitingProducers: number, backlog: number, oldestPendingSeconds: number | null,
 *   claimsLastMinute: number, deadLettered: number }} PoolStats
 * @typedef {{ pool: string, at: string, intervalSeconds: number, claimsPerSecond: number, completionsPerSecond: number,
 *   waitP50Seconds: number | null, waitP99Seconds: number | null, backlog: number, waitingProducers: number,
 *   free: number, full: number, busy: number, draining: number, offline: number }} PoolSample
 * @typedef {{ sampleIntervalSeconds: number, historySeconds: number, offlineFoldSeconds: number, maxAttempts: number,
 *   heartbeatTtlSeconds: number }} ConsoleSettings
 */

/** The server refused the key (or wants one): ask for another. */
class KeyRefused extends Error {}

const state = {
  /** Figures are shown only once the server answered this session: signed out, nothing is made up. */
  authorized: false,
  /** @type {ConsoleSettings | null} */
  settings: null,
  /** @type {Map<string, Consumer>} */
  consumers: new Map(),
  /** @type {PoolStats[]} */
  pools: [],
  /** @type {LeaseInFlight[]} */
  leases: [],
  moreLeases: false,
  /** @type {DeadLetter[]} */
  deadLetters: [],
  moreDeadLetters: false,
  /** @type {AuditEntry[]} */
  audit: [],
  /** The oldest pending jobs of each pool with a backlog. @type {Map<string, PendingJob[]>} */
  pending: new Map(),
  /** The last hour of each pool, oldest first. @type {Map<string, PoolSample[]>} */
  samples: new Map(),
  /** Pools whose folded OFFLINE consumers the operator opened. @type {Set<string>} */
  openFolds: new Set(),
  /** Last inFlight seen per consumer: an increase is a claim. @type {Map<string, number>} */
  inFlightSeen: new Map(),
  /** Claims seen per second (unix seconds). @type {Map<number, number>} */
  claims: new Map(),
  /** Changes that arrive while the consumer list is read, applied on top of it. @type {Consumer[] | null} */
  buffered: null,
  /** Bumped to abandon the socket, timers and answers of an earlier session. */
  session: 0,
  /** @type {WebSocket | undefined} */
  socket: undefined,
  /** @type {ReturnType<typeof setTimeout>[]} */
  timers: [],
};

const storedKey = () => sessionStorage.getItem(keyName);
const bearer = () => {
  const key = storedKey();
  return key ? `Bearer ${key}` : undefined;
};

// ---- GraphQL over HTTP --------------------------------------------------------------------------

/** @param {string} query @param {Record<string, unknown>} [variables] */
async function request(query, variables) {
  /** @type {Record<string, string>} */
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  const authorization = bearer();
  if (authorization) headers.authorization = authorization;
  const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json().catch(() => ({}));
  const error = body.errors?.[0];
  refusal(response.status === 401 ? 'UNAUTHENTICATED' : error?.extensions?.code);
  if (error) throw new Error(error.extensions?.code ? `${error.extensions.code}: ${error.message}` : error.message);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return body.data;
}

/** Throws KeyRefused for the codes that mean "another key is needed". @param {unknown} code */
function refusal(code) {
  if (code === 'UNAUTHENTICATED') {
    throw new KeyRefused(storedKey() ? 'That key was refused.' : 'Handoff asks for an API key: paste an ADMIN key.');
  }
  if (code === 'FORBIDDEN') throw new KeyRefused('That key may not run the console: the dashboard needs an ADMIN key.');
}

/** Pools, leases in flight, dead letters, the audit log; then the oldest pending jobs of each pool with a backlog. @param {number} session */
async function refreshFigures(session) {
  const data = await request(figuresQuery, { leases: shown.leases, deadLetters: shown.deadLetters, audit: shown.audit });
  const pending = new Map(
    await Promise.all(
      data.pools
        .filter((/** @type {PoolStats} */ pool) => pool.backlog > 0)
        .map(async (/** @type {PoolStats} */ pool) => /** @type {const} */ ([pool.pool, (await request(pendingQuery, { pool: pool.pool, first: shown.pending })).jobs.nodes])),
    ),
  );
  if (session !== state.session) return;
  Object.assign(state, {
    authorized: true,
    pools: data.pools,
    leases: data.leasesInFlight.nodes,
    moreLeases: data.leasesInFlight.pageInfo.hasNextPage,
    deadLetters: data.deadLetters.nodes,
    moreDeadLetters: data.deadLetters.pageInfo.hasNextPage,
    audit: data.auditLog.nodes,
    pending,
  });
  // A deregistration is not distinguishable in the change stream: a count that differs means re-read.
  const counted = data.pools.reduce((/** @type {number} */ sum, /** @type {PoolStats} */ pool) => sum + pool.consumers, 0);
  if (counted !== state.consumers.size) void refresh(session, refreshConsumers);
  render();
}

/** The samples since the last one held (the whole hour at first), the older ones dropped. @param {number} session */
async function refreshSamples(session) {
  const settings = state.settings;
  if (!settings) return;
  const latest = Math.max(0, ...[...state.samples.values()].flatMap((samples) => samples.map((sample) => Date.parse(sample.at))));
  const { poolSamples } = await request(samplesQuery, { since: latest > 0 ? new Date(latest).toISOString() : null });
  if (session !== state.session) return;
  const cutoff = Date.now() - settings.historySeconds * 1000;
  for (const sample of /** @type {PoolSample[]} */ (poolSamples)) state.samples.set(sample.pool, [...(state.samples.get(sample.pool) ?? []), sample]);
  for (const [pool, samples] of state.samples) state.samples.set(pool, samples.filter((sample) => Date.parse(sample.at) >= cutoff));
  render();
}

/** Reads every consumer, a page at a time, then applies the changes that arrived meanwhile. @param {number} session */
async function refreshConsumers(session) {
  if (state.buffered) return;
  state.buffered = [];
  try {
    /** @type {Map<string, Consumer>} */
    const read = new Map();
    let after = null;
    do {
      const { consumers } = await request(consumersQuery, { first: 500, after });
      for (const consumer of consumers.nodes) read.set(consumer.id, consumer);
      after = consumers.pageInfo.hasNextPage ? consumers.pageInfo.endCursor : null;
    } while (after);
    if (session !== state.session) return;
    for (const consumer of state.buffered) read.set(consumer.id, consumer);
    state.consumers = read;
    for (const consumer of read.values()) if (!state.inFlightSeen.has(consumer.id)) state.inFlightSeen.set(consumer.id, consumer.inFlight);
  } finally {
    state.buffered = null;
  }
  render();
}

/** Runs one refresh; a refused key signs out, anything else is shown until the next success. */
async function refresh(/** @type {number} */ session, /** @type {(session: number) => Promise<void>} */ read) {
  try {
    await read(session);
    if (session === state.session) showProblem('');
  } catch (error) {
    if (session !== state.session) return;
    if (error instanceof KeyRefused) signOut(error.message);
    else showProblem(`Cannot read from Handoff: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// ---- graphql-ws (graphql-transport-ws protocol) -----------------------------------------------

/** @param {number} session @param {number} attempt */
function connect(session, attempt) {
  const url = new URL(endpoint, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const send = (/** @type {object} */ message) => socket.send(JSON.stringify(message));
  state.socket = socket;
  socket.onopen = () => {
    const authorization = bearer();
    send({ type: 'connection_init', payload: authorization ? { authorization } : {} });
  };
  socket.onmessage = (event) => {
    if (session !== state.session) return;
    const message = JSON.parse(event.data);
    switch (message.type) {
      case 'connection_ack':
        attempt = 0;
        setConnection('live', 'live');
        send({ id: 'changes', type: 'subscribe', payload: { query: changesSubscription } });
        void refresh(session, refreshConsumers); // whatever changed while we were away
        break;
      case 'ping':
        send({ type: 'pong' });
        break;
      case 'next':
        if (message.payload.data?.consumerStatusChanged) changed(message.payload.data.consumerStatusChanged);
        else streamFailed(socket, message.payload.errors);
        break;
      case 'error':
        streamFailed(socket, message.payload);
        break;
      case 'complete': // the server ended the stream: start over
        socket.close(1000);
        break;
    }
  };
  socket.onclose = (event) => {
    if (session !== state.session) return;
    if (event.code === 4403) return signOut(storedKey() ? 'That key was refused (or has just been revoked).' : 'Handoff asks for an API key.');
    const delayMs = Math.min(500 * 2 ** attempt, 10_000) * (0.5 + Math.random() / 2);
    setConnection('down', `reconnecting in ${Math.ceil(delayMs / 1000)} s`);
    state.timers.push(setTimeout(() => connect(session, attempt + 1), delayMs));
  };
}

/** @param {WebSocket} socket @param {{ message?: string, extensions?: { code?: string } }[] | undefined} errors */
function streamFailed(socket, errors) {
  try {
    refusal(errors?.[0]?.extensions?.code);
  } catch (error) {
    return signOut(/** @type {Error} */ (error).message);
  }
  showProblem(`The change stream failed: ${errors?.[0]?.message ?? 'unknown error'}`);
  socket.close(1000); // reconnects with backoff and subscribes again
}

/** One consumer changed. @param {Consumer} consumer */
function changed(consumer) {
  const before = state.inFlightSeen.get(consumer.id);
  // Each claim is announced on its own, so an increase of n is n claims.
  if (before !== undefined && consumer.inFlight > before) {
    const second = Math.floor(Date.now() / 1000);
    state.claims.set(second, (state.claims.get(second) ?? 0) + consumer.inFlight - before);
  }
  state.inFlightSeen.set(consumer.id, consumer.inFlight);
  state.buffered?.push(consumer);
  state.consumers.set(consumer.id, consumer);
  render();
}

// ---- sessions, the key, and acting ----------------------------------------------------------------

async function start() {
  stop();
  const session = state.session;
  byId('key-form').hidden = true;
  byId('forget-key').hidden = !storedKey();
  setConnection('connecting', 'connecting');
  try {
    // The settings say how to read the rest; asking for them is also the check that the key may.
    const { consoleSettings } = await request(settingsQuery);
    if (session !== state.session) return;
    state.settings = consoleSettings;
    await refreshFigures(session);
  } catch (error) {
    if (session !== state.session) return;
    if (error instanceof KeyRefused) return signOut(error.message);
    showProblem(`Cannot read from Handoff: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (session !== state.session) return;
  connect(session, 0);
  void refresh(session, refreshSamples);
  const sampleEveryMs = Math.max(2_000, (state.settings?.sampleIntervalSeconds ?? 10) * 1000);
  state.timers.push(
    setInterval(() => void refresh(session, refreshFigures), figuresEveryMs),
    setInterval(() => void refresh(session, refreshConsumers), consumersEveryMs),
    setInterval(() => void refresh(session, refreshSamples), sampleEveryMs),
  );
}

/** Abandons the current session: its socket, timers and answers in flight. */
function stop() {
  state.session += 1;
  for (const timer of state.timers) clearTimeout(timer);
  state.timers = [];
  state.socket?.close(1000);
  state.socket = undefined;
}

/** @param {string} message */
function signOut(message) {
  stop();
  sessionStorage.removeItem(keyName);
  Object.assign(state, {
    authorized: false,
    settings: null,
    consumers: new Map(),
    pools: [],
    leases: [],
    deadLetters: [],
    audit: [],
    pending: new Map(),
    samples: new Map(),
    inFlightSeen: new Map(),
    claims: new Map(),
    buffered: null,
  });
  const dialog = /** @type {HTMLDialogElement} */ (byId('confirm'));
  if (dialog.open) dialog.close('signed out');
  setConnection('down', 'signed out');
  showProblem('');
  byId('forget-key').hidden = true;
  byId('key-message').textContent = message;
  byId('key-form').hidden = false;
  byId('key-input').focus();
  render();
}

/** Asks for the action in the page's dialog; once done, says so and reads everything again. @param {Action} action */
function ask(action) {
  const session = state.session;
  confirmAction(action, request, (message) => {
    byId('notice').textContent = message;
    void refresh(session, refreshFigures);
    void refresh(session, refreshConsumers);
  });
}

// ---- rendering ------------------------------------------------------------------------------------

/** @param {'connecting' | 'live' | 'down'} connectionState @param {string} text */
function setConnection(connectionState, text) {
  const chip = byId('connection');
  chip.dataset.state = connectionState;
  chip.textContent = text;
}

/** @param {string} message */
function showProblem(message) {
  const problem = byId('problem');
  problem.textContent = message;
  problem.hidden = message === '';
}

/** What a consumer's chip says: its status, or FULL when it is FREE with every slot in use. @param {Consumer} c */
const shownStatus = (c) => (c.status === 'FREE' && c.inFlight >= c.capacity ? 'FULL' : c.status);

/** A count with its name, findable by tests as [data-field=name]. @param {string} field @param {number | string} value @param {string} label */
const count = (field, value, label) => el('span', {}, `${label} `, el('b', { 'data-field': field }, String(value)));

/** @param {Consumer} c */
function consumerRow(c) {
  const status = shownStatus(c);
  const life = c.status === 'OFFLINE'
    ? `silent ${c.offlineSince ? duration((Date.now() - Date.parse(c.offlineSince)) / 1000) : ''} · declared ${c.declaredStatus}`
    : ago(c.lastHeartbeatAt);
  return el('tr', { 'data-consumer': c.id, 'data-status': status },
    el('td', { class: 'id' }, c.id),
    el('td', { class: 'status' }, el('span', { class: `chip ${status}` }, status)),
    el('td', { class: 'in-flight' }, `${c.inFlight} / ${c.capacity}`),
    el('td', { class: 'heartbeat' }, life),
    el('td', { class: 'labels' }, ...c.labels.map((label) => el('span', { class: 'label' }, label))),
    el('td', { class: 'topic' }, c.topic),
    el('td', { class: 'actions' },
      actionButton(c.declaredStatus === 'DRAINING' ? resumeAction(c) : drainAction(c), ask),
      actionButton(removeAction(c), ask)),
  );
}

/** @param {Consumer[]} consumers */
function consumersTable(consumers) {
  return el('table', { class: 'consumers' },
    el('thead', {}, el('tr', {}, ...['consumer', 'status', 'in flight', 'heartbeat', 'labels', 'topic', ''].map((name) => el('th', {}, name)))),
    el('tbody', {}, ...consumers.map(consumerRow)));
}

/** The pool's last hour: throughput, waits, what waits, consumers by status. @param {string} pool @param {number} now */
function poolCharts(pool, now) {
  const settings = /** @type {ConsoleSettings} */ (state.settings);
  const samples = state.samples.get(pool) ?? [];
  const base = { times: samples.map((s) => Date.parse(s.at)), intervals: samples.map((s) => s.intervalSeconds * 1000), from: now - settings.historySeconds * 1000, to: now, intervalMs: settings.sampleIntervalSeconds * 1000 };
  const line = (/** @type {string} */ name, /** @type {string} */ className, /** @type {(s: PoolSample) => number | null} */ pick) => ({ name, className, values: samples.map(pick) });
  return el('div', { class: 'charts' },
    lineChart({ ...base, key: 'throughput', title: 'Claims and completions (per second)', unit: '/s',
      series: [line('claims', 's1', (s) => s.claimsPerSecond), line('completions', 's2', (s) => s.completionsPerSecond)] }),
    lineChart({ ...base, key: 'wait', title: 'Wait for a first lease (seconds)', unit: ' s',
      series: [line('p50', 's1', (s) => s.waitP50Seconds), line('p99', 's3', (s) => s.waitP99Seconds)] }),
    lineChart({ ...base, key: 'backlog', title: 'Waiting (jobs)', unit: '',
      series: [line('backlog', 's1', (s) => s.backlog), line('waiting producers', 's2', (s) => s.waitingProducers)] }),
    lineChart({ ...base, key: 'consumers', title: 'Consumers by status (count)', unit: '',
      series: [
        line('free', 'FREE', (s) => s.free), line('full', 'FULL', (s) => s.full), line('busy', 'BUSY', (s) => s.busy),
        line('draining', 'DRAINING', (s) => s.draining), line('offline', 'OFFLINE', (s) => s.offline),
      ] }),
  );
}

/** @param {string} pool @param {PoolStats | undefined} stats @param {Consumer[]} consumers @param {number} now */
function poolSection(pool, stats, consumers, now) {
  const settings = /** @type {ConsoleSettings} */ (state.settings);
  const slots = consumers.reduce((sum, c) => sum + c.inFlight, 0);
  const capacity = consumers.reduce((sum, c) => sum + c.capacity, 0);
  const counts = el('span', { class: 'pool-counts' },
    count('consumers', consumers.length, 'consumers'), ' · ',
    ...['FREE', 'FULL', 'BUSY', 'DRAINING', 'OFFLINE'].flatMap((status) => [count(status.toLowerCase(), consumers.filter((c) => shownStatus(c) === status).length, status.toLowerCase()), ' · ']),
    count('inFlight', `${slots} / ${capacity}`, 'in flight'), ' · ',
    count('waitingProducers', stats?.waitingProducers ?? 0, 'waiting producers'), ' · ',
    count('backlog', stats?.backlog ?? 0, 'backlog'),
    ...(stats?.oldestPendingSeconds == null ? [] : [` (oldest ${Math.round(stats.oldestPendingSeconds)} s)`]), ' · ',
    count('claimsLastMinute', stats?.claimsLastMinute ?? 0, 'claims/min'), ' · ',
    count('deadLettered', stats?.deadLettered ?? 0, 'dead letters'),
  );
  // Consumers OFFLINE for longer than the setting are folded away: ghosts of processes long gone.
  const foldAfterMs = settings.offlineFoldSeconds * 1000;
  const ghost = (/** @type {Consumer} */ c) => foldAfterMs > 0 && c.status === 'OFFLINE' && c.offlineSince !== null && now - Date.parse(c.offlineSince) > foldAfterMs;
  const listed = consumers.filter((c) => !ghost(c));
  const folded = consumers.filter(ghost);
  const fold = el('details', { class: 'folded', 'data-folded': String(folded.length) },
    el('summary', {}, `${folded.length} consumer(s) OFFLINE for more than ${duration(settings.offlineFoldSeconds)}`),
    consumersTable(folded));
  /** @type {HTMLDetailsElement} */ (fold).open = state.openFolds.has(pool);
  fold.addEventListener('toggle', () => {
    if (/** @type {HTMLDetailsElement} */ (fold).open) state.openFolds.add(pool);
    else state.openFolds.delete(pool);
  });
  const leases = state.leases.filter((lease) => lease.pool === pool);
  const dead = state.deadLetters.filter((letter) => letter.pool === pool);
  return el('section', { 'data-pool': pool, class: 'pool' },
    el('div', { class: 'pool-head' }, el('h2', {}, pool), counts),
    poolCharts(pool, now),
    listed.length === 0 && folded.length === 0 ? el('p', { class: 'empty' }, 'No consumers.') : listed.length === 0 ? '' : consumersTable(listed),
    folded.length === 0 ? '' : fold,
    leasesPanel(leases, settings.maxAttempts, state.moreLeases, ask),
    ...((stats?.backlog ?? 0) > 0 ? [backlogPanel(state.pending.get(pool) ?? [], stats?.backlog ?? 0, ask)] : []),
    ...(dead.length > 0 || (stats?.deadLettered ?? 0) > 0 ? [deadLettersPanel(dead, settings.maxAttempts, state.moreDeadLetters, ask)] : []),
  );
}

/** Claims per second over the last complete seconds, from the changes seen live. @param {number} now */
function liveClaimRate(now) {
  const second = Math.floor(now / 1000);
  for (const key of state.claims.keys()) if (key <= second - 60) state.claims.delete(key);
  let total = 0;
  for (let s = second - rateSeconds; s < second; s += 1) total += state.claims.get(s) ?? 0;
  const rate = total / rateSeconds;
  return rate >= 10 ? rate.toFixed(0) : rate.toFixed(1);
}

/** The header's figures: real ones once the server answered, "–" before (never a made-up zero). @param {number} now */
function renderTotals(now) {
  const consumers = [...state.consumers.values()];
  const deadLettered = state.pools.reduce((s, p) => s + p.deadLettered, 0);
  /** @type {[string, string][]} */
  const totals = [
    ['total-consumers', String(consumers.length)],
    ['total-in-flight', `${consumers.reduce((s, c) => s + c.inFlight, 0)} / ${consumers.reduce((s, c) => s + c.capacity, 0)}`],
    ['total-waiting', String(state.pools.reduce((s, p) => s + p.waitingProducers, 0))],
    ['total-backlog', String(state.pools.reduce((s, p) => s + p.backlog, 0))],
    ['claims-rate', liveClaimRate(now)],
    ['total-dead-lettered', String(deadLettered)],
  ];
  for (const [id, value] of totals) byId(id).textContent = state.authorized ? value : '–';
  byId('total-dead-lettered').classList.toggle('alert', state.authorized && deadLettered > 0);
  byId('heartbeat-ttl').textContent = state.settings ? `${state.settings.heartbeatTtlSeconds} s` : 'the heartbeat TTL';
}

let renderQueued = false;
/** Renders soon (at most 20 times a second), once however many changes arrive meanwhile; focus stays on the button it was on. */
function render() {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => {
    renderQueued = false;
    const now = Date.now();
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
    renderTotals(now);
    byId('legend').hidden = !state.authorized;
    byId('audit').hidden = !state.authorized;
    if (!state.authorized || !state.settings) {
      byId('pools').replaceChildren();
      byId('audit-log').replaceChildren();
      return;
    }
    /** @type {Map<string, Consumer[]>} */
    const byPool = new Map(state.pools.map((stats) => [stats.pool, []]));
    for (const consumer of state.consumers.values()) byPool.set(consumer.pool, [...(byPool.get(consumer.pool) ?? []), consumer]);
    for (const letter of state.deadLetters) if (!byPool.has(letter.pool)) byPool.set(letter.pool, []);
    const names = [...byPool.keys()].sort();
    byId('pools').replaceChildren(
      ...names.map((pool) =>
        poolSection(pool, state.pools.find((stats) => stats.pool === pool), (byPool.get(pool) ?? []).sort((a, b) => (a.id < b.id ? -1 : 1)), now),
      ),
    );
    byId('audit-log').replaceChildren(auditPanel(state.audit));
    if (focused) /** @type {HTMLElement | null} */ (document.querySelector(`[data-key="${CSS.escape(focused)}"]`))?.focus();
  }, 50);
}

byId('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId('key-input'));
  const key = input.value.trim();
  if (!key) return;
  sessionStorage.setItem(keyName, key);
  input.value = '';
  byId('key-message').textContent = '';
  void start();
});
byId('forget-key').addEventListener('click', (event) => {
  event.preventDefault();
  signOut('Key forgotten.');
});
setInterval(render, 1_000); // heartbeat ages and the live rate move with time
void start();
