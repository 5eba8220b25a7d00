// The NOTIFY channels the domain's statements announce on (after commit, to every replica).

/** Every committed change to a consumer row (see announceChanged). */
export const changesChannel = 'handoff_consumer_changes';

/** A pool got a consumer, so its intake topic exists: the payload is the pool (see announceIntakePool). */
export const intakePoolsChannel = 'handoff_intake_pools';

/** A waiting producer's job got a lease (see assignedResults). */
export const assignmentsChannel = 'handoff_assignments';
