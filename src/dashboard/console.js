// The operator console's actions and panels: what each action does, said before it is done (a
// confirmation in the page), the GraphQL mutation it runs (the same ones the CLI runs, ADMIN-only and
// audited), and the tables an operator decides from: leases in flight, the backlog, dead letters and
// the audit log.
import { ago, duration, el, idCell, size } from './dom.js';

/**
 * @typedef {{ id: string, pool: string, status: string, declaredStatus: string, capacity: number, inFlight: number,
 *   labels: string[], lastHeartbeatAt: string | null, offlineSince: string | null, topic: string }} Consumer
 * @typedef {{ id: string, pool: string, jobId: string | null, ageSeconds: number, expiresInSeconds: number,
 *   lease: { state: string, attempt: number, consumer: { id: string } } }} LeaseInFlight
 * @typedef {{ id: string, pool: string, state: string, attempts: number, reason: string | null, deadLetteredAt: string | null,
 *   valueBytes: number, value: { text: string, truncated: boolean }, key: { text: string, truncated: boolean } | null,
 *   lastConsumerId: string | null, topic: string | null }} DeadLetter
 * @typedef {{ id: string, priority: number, fairnessKey: string | null, labels: string[], submittedAt: string }} PendingJob
 * @typedef {{ id: string, at: string, actorKeyId: string, actorRole: string, action: string, pool: string, target: string, summary: string }} AuditEntry
 * @typedef {{ key: string, label: string, heading: string, lines: string[], confirmLabel: string | null, dismissLabel?: string,
 *   danger?: boolean, reason?: boolean, mutation: string, variables: Record<string, unknown>,
 *   done: (data: Record<string, any>) => string, alternative?: Action }} Action
 */

const mutations = {
  drain: 'mutation DashboardDrain($id: ID!) { drainConsumer(id: $id) { id status declaredStatus } }',
  resume: 'mutation DashboardResume($id: ID!) { resumeConsumer(id: $id) { id status declaredStatus } }',
  remove: 'mutation DashboardRemove($id: ID!) { removeConsumer(id: $id) { id } }',
  requeue: 'mutation DashboardRequeue($id: ID!, $reason: String) { requeueLease(id: $id, reason: $reason) { id state } }',
  expire: 'mutation DashboardExpire($id: ID!, $reason: String) { expireLease(id: $id, reason: $reason) { id state } }',
  replay: 'mutation DashboardReplay($id: ID!) { replayDeadLetter(id: $id) { id state attempts } }',
  discard: 'mutation DashboardDiscard($id: ID!, $reason: String) { discardDeadLetter(id: $id, reason: $reason) { id state } }',
  cancel: 'mutation DashboardCancel($id: ID!) { cancelJob(id: $id) { id state } }',
};

// ---- what each action does ---------------------------------------------------------------------

/** @param {Consumer} c @returns {Action} */
export const drainAction = (c) => ({
  key: `drain:${c.id}`,
  label: 'Drain',
  heading: `Drain ${c.id}?`,
  lines: [
    `It takes no new job; ${c.inFlight === 0 ? 'it holds no lease' : `the ${c.inFlight} lease(s) it holds finish`}.`,
    'It stays DRAINING until the consumer declares otherwise or registers again (a restarted process comes back FREE).',
  ],
  confirmLabel: 'Drain',
  mutation: mutations.drain,
  variables: { id: c.id },
  done: () => `${c.id} is draining.`,
});

/** @param {Consumer} c @returns {Action} */
export const resumeAction = (c) => ({
  key: `resume:${c.id}`,
  label: 'Resume',
  heading: `Resume ${c.id}?`,
  lines: ['It is declared FREE again, and its free slots take their next jobs at once.'],
  confirmLabel: 'Resume',
  mutation: mutations.resume,
  variables: { id: c.id },
  done: () => `${c.id} is FREE again.`,
});

/** Refused while it holds leases (Handoff refuses too): drain it first. @param {Consumer} c @returns {Action} */
export function removeAction(c) {
  const base = { key: `remove:${c.id}`, label: 'Remove', mutation: mutations.remove, variables: { id: c.id }, done: () => `${c.id} was removed.` };
  if (c.inFlight > 0) {
    return {
      ...base,
      heading: `${c.id} holds ${c.inFlight} lease(s)`,
      lines: [
        'Handoff does not remove a consumer that holds leases: their jobs would be left without one.',
        'Drain it first — it takes no new job — and remove it once its leases have ended; or requeue or expire them under “Leases in flight”.',
      ],
      confirmLabel: null,
      ...(c.declaredStatus !== 'DRAINING' && { alternative: { ...drainAction(c), label: 'Drain instead' } }),
    };
  }
  return {
    ...base,
    heading: `Remove ${c.id}?`,
    lines: [
      `It is deregistered: it leaves the registry and its topic ${c.topic} is free again; its leases’ history stays readable.`,
      'A process still running gets NOT_FOUND on its next call, and may register again.',
    ],
    confirmLabel: 'Remove',
    danger: true,
  };
}

/** @param {LeaseInFlight} l @returns {Action} */
export const requeueAction = (l) => ({
  key: `requeue:${l.id}`,
  label: 'Requeue',
  heading: `Requeue lease ${l.id}?`,
  lines: [
    `The lease of ${l.lease.consumer.id} ends (RELEASED) and its slot is free.`,
    l.jobId && l.lease.state === 'DISPATCHED'
      ? `Its job ${l.jobId} waits first in line to be sent again; its attempts stay as they are (attempt ${l.lease.attempt} counted), and a requeue never dead-letters it.`
      : 'It carries no job yet: the claim just ends, and its producer’s attachJob will be refused.',
    'If the consumer is still working on it, its completeLease will be refused.',
  ],
  confirmLabel: 'Requeue',
  reason: true,
  mutation: mutations.requeue,
  variables: { id: l.id },
  done: () => `Lease ${l.id} was requeued.`,
});

/** @param {LeaseInFlight} l @param {number} maxAttempts @returns {Action} */
export const expireAction = (l, maxAttempts) => ({
  key: `expire:${l.id}`,
  label: 'Expire',
  heading: `Expire lease ${l.id} now?`,
  lines: [
    `As if its deadline had passed: the lease of ${l.lease.consumer.id} ends (EXPIRED) and its slot is free.`,
    !l.jobId || l.lease.state !== 'DISPATCHED'
      ? 'It carries no job yet: the claim just ends.'
      : l.lease.attempt >= maxAttempts
        ? `This was attempt ${l.lease.attempt} of ${maxAttempts}: its job ${l.jobId} is dead-lettered.`
        : `Its job ${l.jobId} is sent again, as attempt ${l.lease.attempt + 1} of ${maxAttempts}.`,
  ],
  confirmLabel: 'Expire',
  danger: true,
  reason: true,
  mutation: mutations.expire,
  variables: { id: l.id },
  done: () => `Lease ${l.id} was expired.`,
});

/** @param {DeadLetter} d @param {number} maxAttempts @returns {Action} */
export const replayAction = (d, maxAttempts) => ({
  key: `replay:${d.id}`,
  label: 'Replay',
  heading: `Replay dead letter ${d.id}?`,
  lines: [
    `The job goes back to pool ${d.pool} as PENDING, first in line, with its attempts reset to 0: it gets all ${maxAttempts} attempt(s) again.`,
    d.topic ? `Its record stays on ${d.topic}.` : 'It was not written to the dead-letter topic yet, and now will not be.',
  ],
  confirmLabel: 'Replay',
  mutation: mutations.replay,
  variables: { id: d.id },
  done: () => `Dead letter ${d.id} is back in line.`,
});

/** @param {DeadLetter} d @returns {Action} */
export const discardAction = (d) => ({
  key: `discard:${d.id}`,
  label: 'Discard',
  heading: `Discard dead letter ${d.id}?`,
  lines: [
    'The job is CANCELLED and never sent again; it stays readable for the history retention.',
    d.topic ? `Its record stays on ${d.topic}.` : 'It was not written to the dead-letter topic yet, and now will not be.',
  ],
  confirmLabel: 'Discard',
  danger: true,
  reason: true,
  mutation: mutations.discard,
  variables: { id: d.id },
  done: () => `Dead letter ${d.id} was discarded.`,
});

/** @param {PendingJob} job @returns {Action} */
export const cancelAction = (job) => ({
  key: `cancel:${job.id}`,
  label: 'Cancel',
  heading: `Cancel job ${job.id}?`,
  lines: ['It leaves the backlog (CANCELLED) and is never sent.'],
  confirmLabel: 'Cancel the job',
  dismissLabel: 'Keep it',
  danger: true,
  mutation: mutations.cancel,
  variables: { id: job.id },
  done: () => `Job ${job.id} was cancelled.`,
});

// ---- the confirmation ------------------------------------------------------------------------------

/**
 * Asks in the page's dialog, then runs the action's mutation (or its alternative); says what went
 * wrong in the dialog, or closes it and says what was done. Esc or the dismiss button change nothing.
 * Focus starts on the dismiss button and returns to the button that opened it.
 * @param {Action} action
 * @param {(query: string, variables: Record<string, unknown>) => Promise<Record<string, any>>} request
 * @param {(message: string) => void} done
 */
export function confirmAction(action, request, done) {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('confirm'));
  const [heading, text, reasonRow, reason, error, dismiss, alternative, ok] = [
    'confirm-title', 'confirm-text', 'confirm-reason-row', 'confirm-reason', 'confirm-error', 'confirm-dismiss', 'confirm-alternative', 'confirm-ok',
  ].map((id) => /** @type {HTMLElement} */ (document.getElementById(id)));
  const reasonInput = /** @type {HTMLInputElement} */ (reason);
  heading.textContent = action.heading;
  text.replaceChildren(...action.lines.map((line) => el('p', {}, line)));
  reasonRow.hidden = !action.reason;
  reasonInput.value = '';
  error.textContent = '';
  dismiss.textContent = action.dismissLabel ?? 'Cancel';
  ok.hidden = action.confirmLabel === null;
  ok.textContent = action.confirmLabel ?? '';
  ok.classList.toggle('danger', Boolean(action.danger));
  alternative.hidden = !action.alternative;
  alternative.textContent = action.alternative?.label ?? '';
  dialog.dataset.action = action.key;
  // The button that opened it may be drawn anew meanwhile: focus goes back to the one with its key.
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.key : undefined;
  dialog.onclose = () => {
    if (opener) /** @type {HTMLElement | null} */ (document.querySelector(`[data-key="${CSS.escape(opener)}"]`))?.focus();
  };

  const run = async (/** @type {Action} */ chosen) => {
    for (const button of [dismiss, alternative, ok]) /** @type {HTMLButtonElement} */ (button).disabled = true;
    error.textContent = '';
    try {
      const note = chosen.reason && reasonInput.value.trim() !== '' ? { reason: reasonInput.value.trim() } : {};
      const data = await request(chosen.mutation, { ...chosen.variables, ...note });
      dialog.close('done');
      done(chosen.done(data));
    } catch (failure) {
      error.textContent = failure instanceof Error ? failure.message : String(failure);
    } finally {
      for (const button of [dismiss, alternative, ok]) /** @type {HTMLButtonElement} */ (button).disabled = false;
    }
  };
  const form = /** @type {HTMLFormElement} */ (document.getElementById('confirm-form'));
  form.onsubmit = (event) => {
    event.preventDefault();
    if (action.confirmLabel !== null) void run(action);
  };
  alternative.onclick = () => action.alternative && void run(action.alternative);
  dismiss.onclick = () => dialog.close('dismissed');
  dialog.showModal();
  dismiss.focus();
}

// ---- panels -------------------------------------------------------------------------------------------

/** A button that asks before it acts; its key lets focus survive a re-render. @param {Action} action @param {(action: Action) => void} ask */
export const actionButton = (action, ask) => {
  const button = el('button', { type: 'button', class: `action${action.danger ? ' danger' : ''}`, 'data-key': action.key, 'data-action': action.key.split(':')[0] ?? '' }, action.label);
  button.addEventListener('click', () => ask(action));
  return button;
};

/** @param {string} title @param {string} className @param {Node} body @param {string} [note] */
const panel = (title, className, body, note) =>
  el('div', { class: `panel ${className}` }, el('h3', {}, title, ...(note ? [el('span', { class: 'note' }, ` ${note}`)] : [])), body);

/** @param {string[]} headings @param {Node[]} rows @param {string} whenEmpty */
const table = (headings, rows, whenEmpty) =>
  rows.length === 0
    ? el('p', { class: 'empty' }, whenEmpty)
    : el('table', {}, el('thead', {}, el('tr', {}, ...headings.map((name) => el('th', {}, name)))), el('tbody', {}, ...rows));

/**
 * @param {LeaseInFlight[]} leases @param {number} maxAttempts @param {boolean} more
 * @param {(action: Action) => void} ask
 */
export function leasesPanel(leases, maxAttempts, more, ask) {
  const rows = leases.map((l) =>
    el('tr', { 'data-lease': l.id },
      el('td', {}, idCell(l.id)),
      el('td', { class: 'consumer' }, l.lease.consumer.id),
      el('td', {}, el('span', { class: `chip lease ${l.lease.state}` }, l.lease.state)),
      el('td', { class: 'attempt' }, `${l.lease.attempt} of ${maxAttempts}`),
      el('td', { class: 'held' }, duration(l.ageSeconds)),
      el('td', { class: l.expiresInSeconds < 0 ? 'overdue' : 'expires' }, l.expiresInSeconds < 0 ? `overdue ${duration(-l.expiresInSeconds)}` : `in ${duration(l.expiresInSeconds)}`),
      el('td', {}, l.jobId ? idCell(l.jobId) : el('span', { class: 'muted' }, 'claim, no job')),
      el('td', { class: 'actions' }, actionButton(requeueAction(l), ask), actionButton(expireAction(l, maxAttempts), ask)),
    ),
  );
  return panel('Leases in flight', 'leases',
    table(['lease', 'consumer', 'state', 'attempt', 'held', 'deadline', 'job', ''], rows, 'No lease in flight.'),
    more ? '(the longest held; handoff leases lists them all)' : undefined);
}

/** @param {PendingJob[]} jobs @param {number} backlog @param {(action: Action) => void} ask */
export function backlogPanel(jobs, backlog, ask) {
  const rows = jobs.map((job) =>
    el('tr', { 'data-job': job.id },
      el('td', {}, idCell(job.id)),
      el('td', {}, String(job.priority)),
      el('td', {}, job.fairnessKey ?? ''),
      el('td', { class: 'labels' }, ...job.labels.map((label) => el('span', { class: 'label' }, label))),
      el('td', {}, ago(job.submittedAt)),
      el('td', { class: 'actions' }, actionButton(cancelAction(job), ask)),
    ),
  );
  return panel('Backlog', 'backlog',
    table(['job', 'priority', 'fairness key', 'labels', 'submitted', ''], rows, 'Nothing waits.'),
    backlog > jobs.length ? `(the oldest ${jobs.length} of ${backlog}; handoff jobs <pool> lists them all)` : undefined);
}

/** @param {DeadLetter[]} dead @param {number} maxAttempts @param {boolean} more @param {(action: Action) => void} ask */
export function deadLettersPanel(dead, maxAttempts, more, ask) {
  const rows = dead.map((d) =>
    el('tr', { 'data-dead-letter': d.id },
      el('td', {}, idCell(d.id)),
      el('td', {}, el('span', { class: `chip dead ${d.state}`, title: d.topic ? `on ${d.topic}` : 'waiting to be written to the dead-letter topic' }, d.state === 'DEAD_LETTERED' ? 'DEAD' : 'WRITING')),
      el('td', { class: 'attempts' }, String(d.attempts)),
      el('td', { class: 'reason' }, d.reason ?? ''),
      el('td', {}, ago(d.deadLetteredAt)),
      el('td', { class: 'size' }, size(d.valueBytes)),
      el('td', { class: 'preview' }, el('code', { class: 'payload' }, d.value.text), d.value.truncated ? el('span', { class: 'muted' }, ' … (cut)') : ''),
      el('td', { class: 'actions' }, actionButton(replayAction(d, maxAttempts), ask), actionButton(discardAction(d), ask)),
    ),
  );
  return panel('Dead letters', 'dead-letters',
    table(['job', 'state', 'attempts', 'reason', 'dead-lettered', 'size', 'value (start, escaped)', ''], rows, 'No dead letter.'),
    more ? '(the oldest; handoff dlq list lists them all)' : undefined);
}

/** @param {AuditEntry[]} entries */
export function auditPanel(entries) {
  const rows = entries.map((e) =>
    el('tr', { 'data-audit': e.id },
      el('td', { title: e.at }, ago(e.at)),
      el('td', {}, idCell(e.actorKeyId), ` ${e.actorRole}`),
      el('td', { class: 'audit-action' }, e.action),
      el('td', {}, e.pool),
      el('td', {}, idCell(e.target)),
      el('td', { class: 'summary' }, e.summary),
    ),
  );
  return table(['when', 'key', 'action', 'pool', 'target', 'what changed'], rows, 'No operator action yet.');
}
