// The operator dashboard: pools and their consumers, live. Changes arrive over graphql-ws (the
// graphql-transport-ws protocol, spoken by hand: no bundler, no dependency); counts are read over
// HTTP every few seconds. Data is only ever rendered as text nodes, never parsed as HTML.

const endpoint = '/graphql';
const keyName = 'handoff-api-key';
const poolsEveryMs = 3_000;
// Heartbeats are not announced (only changes are): re-reading keeps heartbeat ages true.
const consumersEveryMs = 10_000;
const chartSeconds = 60;
const rateSeconds = 10;
const statuses = ['FREE', 'BUSY', 'DRAINING', 'OFFLINE'];

const consumerFields = 'id pool status capacity inFlight labels lastHeartbeatAt topic';
const poolsQuery =
  'query DashboardPools { pools { pool consumers free busy draining offline capacity inFlight waitingProducers backlog oldestPendingSeconds claimsLastMinute deadLettered } }';
// `first` as a variable: the query-cost limit multiplies a literal one into the cost.
const consumersQuery = `query DashboardConsumers($first: Int, $after: String) {
  consumers(first: $first, after: $after) { nodes { ${consumerFields} } pageInfo { hasNextPage endCursor } }
}`;
const changesSubscription = `subscription DashboardChanges { consumerStatusChanged { ${consumerFields} } }`;

/**
 * @typedef {{ id: string, pool: string, status: string, capacity: number, inFlight: number,
 *   labels: string[], lastHeartbeatAt: string | null, topic: string }} Consumer
 * @typedef {{ pool: string, consumers: number, free: number, busy: number, draining: number, offline: number,
 *   capacity: number, inFlight: number, waitingProducers: number, backlog: number, oldestPendingSeconds: number | null,
 *   claimsLastMinute: number, deadLettered: number }} PoolStats
 */

/** The server refused the key (or wants one): ask for another. */
class KeyRefused extends Error {}

const state = {
  /** @type {Map<string, Consumer>} */
  consumers: new Map(),
  /** @type {PoolStats[]} */
  pools: [],
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

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const storedKey = () => sessionStorage.getItem(keyName);
const bearer = () => {
  const key = storedKey();
  return key ? `Bearer ${key}` : undefined;
};

/**
 * An element with attributes and children; strings become text nodes (never markup).
 * @param {string} tag @param {Record<string, string>} [attributes] @param {(Node | string)[]} children
 */
function el(tag, attributes = {}, ...children) {
  const node = tag === 'svg' || tag === 'polyline' || tag === 'line' || tag === 'title'
    ? document.createElementNS('http://www.w3.org/2000/svg', tag)
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

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
  if (error || !response.ok) throw new Error(error?.message ?? `HTTP ${response.status}`);
  return body.data;
}

/** Throws KeyRefused for the codes that mean "another key is needed". @param {unknown} code */
function refusal(code) {
  if (code === 'UNAUTHENTICATED') {
    throw new KeyRefused(storedKey() ? 'That key was refused.' : 'Handoff asks for an API key: paste an ADMIN key.');
  }
  if (code === 'FORBIDDEN') throw new KeyRefused('That key may not watch every pool: the dashboard needs an ADMIN key.');
}

/** @param {number} session */
async function refreshPools(session) {
  const { pools } = await request(poolsQuery);
  if (session !== state.session) return;
  state.pools = pools;
  // A deregistration is not distinguishable in the change stream: a count that differs means re-read.
  const counted = pools.reduce((sum, /** @type {PoolStats} */ pool) => sum + pool.consumers, 0);
  if (counted !== state.consumers.size) void refresh(session, refreshConsumers);
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

// ---- sessions and the key -----------------------------------------------------------------------

async function start() {
  stop();
  const session = state.session;
  byId('key-form').hidden = true;
  byId('forget-key').hidden = !storedKey();
  setConnection('connecting', 'connecting');
  try {
    await refreshPools(session);
  } catch (error) {
    if (session !== state.session) return;
    if (error instanceof KeyRefused) return signOut(error.message);
    showProblem(`Cannot read from Handoff: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (session !== state.session) return;
  connect(session, 0);
  state.timers.push(
    setInterval(() => void refresh(session, refreshPools), poolsEveryMs),
    setInterval(() => void refresh(session, refreshConsumers), consumersEveryMs),
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
  Object.assign(state, { consumers: new Map(), pools: [], inFlightSeen: new Map(), claims: new Map(), buffered: null });
  setConnection('down', 'signed out');
  showProblem('');
  byId('forget-key').hidden = true;
  byId('key-message').textContent = message;
  byId('key-form').hidden = false;
  byId('key-input').focus();
  render();
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

/** @param {string | null} at */
function heartbeatAge(at, now = Date.now()) {
  if (!at) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(at)) / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

/** A count with its name, findable by tests as [data-field=name]. @param {string} field @param {number | string} value @param {string} label */
const count = (field, value, label) => el('span', {}, `${label} `, el('b', { 'data-field': field }, String(value)));

/** @param {string} pool @param {PoolStats | undefined} stats @param {Consumer[]} consumers */
function poolSection(pool, stats, consumers) {
  const slots = consumers.reduce((sum, c) => sum + c.inFlight, 0);
  const capacity = consumers.reduce((sum, c) => sum + c.capacity, 0);
  const counts = el('span', { class: 'pool-counts' },
    count('consumers', consumers.length, 'consumers'), ' · ',
    ...statuses.flatMap((status) => [count(status.toLowerCase(), consumers.filter((c) => c.status === status).length, status.toLowerCase()), ' · ']),
    count('inFlight', `${slots} / ${capacity}`, 'in flight'), ' · ',
    count('waitingProducers', stats?.waitingProducers ?? 0, 'waiting producers'), ' · ',
    count('backlog', stats?.backlog ?? 0, 'backlog'),
    ...(stats?.oldestPendingSeconds == null ? [] : [` (oldest ${Math.round(stats.oldestPendingSeconds)} s)`]), ' · ',
    count('claimsLastMinute', stats?.claimsLastMinute ?? 0, 'claims/min'), ' · ',
    count('deadLettered', stats?.deadLettered ?? 0, 'dead letters'),
  );
  const rows = consumers.map((c) =>
    el('tr', { 'data-consumer': c.id },
      el('td', { class: 'id' }, c.id),
      el('td', { class: 'status' }, el('span', { class: `chip ${statuses.includes(c.status) ? c.status : ''}` }, c.status)),
      el('td', { class: 'in-flight' }, `${c.inFlight} / ${c.capacity}`),
      el('td', { class: 'heartbeat' }, heartbeatAge(c.lastHeartbeatAt)),
      el('td', { class: 'labels' }, ...c.labels.map((label) => el('span', { class: 'label' }, label))),
      el('td', { class: 'topic' }, c.topic),
    ),
  );
  const table = rows.length === 0
    ? el('p', { class: 'empty' }, 'No consumers.')
    : el('table', {},
        el('thead', {}, el('tr', {}, ...['consumer', 'status', 'in flight', 'heartbeat', 'labels', 'topic'].map((name) => el('th', {}, name)))),
        el('tbody', {}, ...rows));
  return el('section', { 'data-pool': pool }, el('div', { class: 'pool-head' }, el('h2', {}, pool), counts), table);
}

/** Claims per second over the last minute, as a sparkline. @param {number} now */
function drawClaims(now) {
  const second = Math.floor(now / 1000);
  for (const key of state.claims.keys()) if (key <= second - chartSeconds) state.claims.delete(key);
  const series = Array.from({ length: chartSeconds }, (_, i) => state.claims.get(second - chartSeconds + 1 + i) ?? 0);
  const peak = Math.max(1, ...series);
  const points = series.map((value, i) => `${(i * 120) / (chartSeconds - 1)},${(23 - (value / peak) * 22).toFixed(1)}`).join(' ');
  const total = series.reduce((sum, value) => sum + value, 0);
  const chart = byId('claims-chart');
  chart.dataset.total = String(total);
  chart.replaceChildren(
    el('title', {}, `claims per second, last ${chartSeconds} s: ${total} in all, peak ${Math.max(...series)}/s`),
    el('line', { x1: '0', y1: '23.5', x2: '120', y2: '23.5' }),
    el('polyline', { points }),
  );
  // The rate over the last complete seconds (the current one is still filling).
  const recent = series.slice(-rateSeconds - 1, -1).reduce((sum, value) => sum + value, 0) / rateSeconds;
  byId('claims-rate').textContent = recent >= 10 ? recent.toFixed(0) : recent.toFixed(1);
}

let renderQueued = false;
/** Renders soon (at most 20 times a second), once however many changes arrive meanwhile. */
function render() {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => {
    renderQueued = false;
    const now = Date.now();
    /** @type {Map<string, Consumer[]>} */
    const byPool = new Map(state.pools.map((stats) => [stats.pool, []]));
    for (const consumer of state.consumers.values()) byPool.set(consumer.pool, [...(byPool.get(consumer.pool) ?? []), consumer]);
    const names = [...byPool.keys()].sort();
    byId('pools').replaceChildren(
      ...names.map((pool) =>
        poolSection(pool, state.pools.find((stats) => stats.pool === pool), (byPool.get(pool) ?? []).sort((a, b) => (a.id < b.id ? -1 : 1))),
      ),
    );
    const consumers = [...state.consumers.values()];
    byId('total-consumers').textContent = String(consumers.length);
    byId('total-in-flight').textContent = `${consumers.reduce((s, c) => s + c.inFlight, 0)} / ${consumers.reduce((s, c) => s + c.capacity, 0)}`;
    byId('total-waiting').textContent = String(state.pools.reduce((s, p) => s + p.waitingProducers, 0));
    byId('total-backlog').textContent = String(state.pools.reduce((s, p) => s + p.backlog, 0));
    const deadLettered = state.pools.reduce((s, p) => s + p.deadLettered, 0);
    byId('total-dead-lettered').textContent = String(deadLettered);
    byId('total-dead-lettered').classList.toggle('alert', deadLettered > 0);
    drawClaims(now);
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
setInterval(render, 1_000); // heartbeat ages and the chart move with time
void start();
