#!/usr/bin/python3
"""A Handoff consumer in Python: registers, takes its jobs from its own Kafka topic one at a time,
completes each lease, heartbeats, and drains on SIGTERM (or Ctrl-C).

    HANDOFF_TOKEN=<a CONSUMER key for worker-1> KAFKA_BROKERS=127.0.0.1:9092 \\
      /usr/bin/python3 examples/python/consumer.py worker-1 --pool images --work-ms 500

Its life, in order: register BUSY (no job may come before it reads its topic) → join its topic with
kafka-python (a consumer group of its own) → FREE once its partition is assigned → for each record:
read the lease id and attempt from the headers, run the job, completeLease with its id and epoch,
then commit the offset → on SIGTERM: DRAINING at once, finish the job in hand (and any already
leased to it), leave the group, deregister. A thread heartbeats meanwhile, and extends the lease of a
long job. Needs Debian's python3-kafka and python3-requests (/usr/bin/python3).
"""
import argparse
import signal
import sys
import threading
import time

from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition

from handoff_api import ATTEMPT_HEADER, LEASE_ID_HEADER, HandoffError, from_environment, kafka_brokers

REGISTER = """mutation ($input: RegisterConsumerInput!) { registerConsumer(input: $input) { id topic epoch } }"""
SET_STATUS = """mutation ($id: ID!, $status: ConsumerStatus!, $epoch: Int!) {
  setStatus(id: $id, status: $status, epoch: $epoch) { status inFlight } }"""
HEARTBEAT = """mutation ($id: ID!, $epoch: Int!) { heartbeat(id: $id, epoch: $epoch) { id } }"""
LEASE = """query ($id: ID!) { lease(id: $id) { state consumer { id } } }"""
EXTEND = """mutation ($id: ID!, $ms: Int!, $consumerId: ID!, $epoch: Int!) {
  extendLease(id: $id, ms: $ms, consumerId: $consumerId, epoch: $epoch) { expiresAt } }"""
COMPLETE = """mutation ($id: ID!, $consumerId: ID!, $epoch: Int!) {
  completeLease(id: $id, consumerId: $consumerId, epoch: $epoch) { state } }"""
FAIL = """mutation ($id: ID!, $reason: String, $consumerId: ID!, $epoch: Int!) {
  failLease(id: $id, reason: $reason, consumerId: $consumerId, epoch: $epoch) { state } }"""
IN_FLIGHT = """query ($id: ID!) { consumer(id: $id) { inFlight } }"""
DEREGISTER = """mutation ($id: ID!, $epoch: Int!) { deregisterConsumer(id: $id, epoch: $epoch) { id } }"""


def log(line):
    print(line, flush=True)


def work(record, work_ms):
    """The job itself: here it only takes its time. Raise to fail it (Handoff sends it again)."""
    time.sleep(work_ms / 1000)


class PartitionsAssigned(ConsumerRebalanceListener):
    """Sets `event` once the group gave this consumer its topic's partition."""

    def __init__(self, event):
        self.event = event

    def on_partitions_assigned(self, assigned):
        if assigned:
            self.event.set()

    def on_partitions_revoked(self, revoked):
        pass  # offsets are committed after each job, so a revocation has nothing left to commit


class Worker:
    def __init__(self, args):
        self.args = args
        self.id = args.id
        self.api = from_environment()
        self.epoch = 0
        self.in_hand = None  # the lease id of the job running now
        # Set by SIGTERM / SIGINT. A plain attribute: a signal handler may interrupt code holding any
        # lock (an Event's among them), so it takes none.
        self.stopping = False
        self.ready = threading.Event()  # its partition assigned, FREE declared (unless stopping already)
        self.draining = threading.Event()  # Handoff knows: DRAINING
        self.finished = threading.Event()  # the heartbeat thread may end

    def run(self):
        registered = self.api.request(REGISTER, input={"id": self.id, "pool": self.args.pool, "capacity": 1, "status": "BUSY"})[
            "registerConsumer"
        ]
        self.epoch, topic = registered["epoch"], registered["topic"]
        kafka = KafkaConsumer(
            bootstrap_servers=kafka_brokers(),
            client_id=f"handoff-python-{self.id}",
            group_id=f"handoff-consumer.{self.id}",  # a group of its own: the topic is this consumer's alone
            auto_offset_reset="earliest",  # a new group starts at the topic's first job
            enable_auto_commit=False,  # committed after completeLease, never before
            max_poll_records=1,
        )
        assigned = threading.Event()
        kafka.subscribe([topic], listener=PartitionsAssigned(assigned))
        heartbeats = threading.Thread(target=self.heartbeat, daemon=True)
        heartbeats.start()
        early = []  # records the polls that waited for the assignment returned already
        while not assigned.is_set():
            early.extend(record for batch in kafka.poll(timeout_ms=500).values() for record in batch)
        if not self.stopping:
            self.api.request(SET_STATUS, id=self.id, status="FREE", epoch=self.epoch)
            log(f"ready {self.id} FREE on {topic} (epoch {self.epoch})")
        self.ready.set()  # DRAINING comes after FREE, never before it
        for record in early:
            self.process(kafka, record)

        drain_deadline = None
        while True:
            for batch in kafka.poll(timeout_ms=200 if self.stopping else 1000).values():
                for record in batch:
                    self.process(kafka, record)
            if self.draining.is_set():
                # Leases taken before DRAINING still bring their records: leave once none is held.
                drain_deadline = drain_deadline or time.monotonic() + self.args.drain_timeout_s
                if self.api.request(IN_FLIGHT, id=self.id)["consumer"]["inFlight"] == 0:
                    break
                if time.monotonic() > drain_deadline:
                    log(f"{self.id}: still holding leases after {self.args.drain_timeout_s} s; leaving them to expire")
                    break
        kafka.close(autocommit=False)
        self.finished.set()
        heartbeats.join()
        self.api.request(DEREGISTER, id=self.id, epoch=self.epoch)
        log(f"stopped {self.id}")

    def process(self, kafka, record):
        headers = {key: value.decode() for key, value in record.headers or []}
        lease_id = headers.get(LEASE_ID_HEADER)
        attempt = int(headers.get(ATTEMPT_HEADER, "1"))
        value = record.value.decode() if record.value is not None else ""
        lease = self.api.request(LEASE, id=lease_id)["lease"] if lease_id else None
        if lease is None or lease["state"] not in ("CLAIMED", "DISPATCHED") or lease["consumer"]["id"] != self.id:
            # Not a job of ours any more: done already (a record read twice), or sent elsewhere after
            # this consumer went silent. Running it would run it twice.
            log(f"skipped lease={lease_id} ({lease['state'] if lease else 'no lease'}) value={value}")
        else:
            self.in_hand = lease_id
            log(f"started lease={lease_id} attempt={attempt} value={value}")
            try:
                work(record, self.args.work_ms)
            except Exception as error:  # the job failed: Handoff sends it again, or dead-letters it
                self.in_hand = None
                self.api.request(FAIL, id=lease_id, reason=str(error)[:500], consumerId=self.id, epoch=self.epoch)
                log(f"failed lease={lease_id} attempt={attempt} value={value}: {error}")
            else:
                self.in_hand = None
                try:
                    self.api.request(COMPLETE, id=lease_id, consumerId=self.id, epoch=self.epoch)
                    log(f"completed lease={lease_id} attempt={attempt} value={value}")
                except HandoffError as error:
                    if error.code != "CONFLICT":
                        raise
                    # The lease ended meanwhile (its deadline passed): the job went to another consumer.
                    log(f"late lease={lease_id}: {error}")
        kafka.commit({TopicPartition(record.topic, record.partition): OffsetAndMetadata(record.offset + 1, "")})

    def heartbeat(self):
        """Every interval: extend the job in hand's lease, or heartbeat (both are signs of life).
        Within 0.2 s of a stop signal: DRAINING, so Handoff hands it nothing more."""
        next_beat = time.monotonic()
        while not self.finished.wait(0.2):
            try:
                if self.stopping and self.ready.is_set() and not self.draining.is_set():
                    state = self.api.request(SET_STATUS, id=self.id, status="DRAINING", epoch=self.epoch)["setStatus"]
                    log(f"draining {self.id} ({state['inFlight']} in flight)")
                    self.draining.set()
                elif time.monotonic() >= next_beat:
                    next_beat = time.monotonic() + self.args.heartbeat_s
                    if self.in_hand is not None:
                        self.extend(self.in_hand)
                    else:
                        self.api.request(HEARTBEAT, id=self.id, epoch=self.epoch)
            except (HandoffError, OSError) as error:  # requests' errors are OSErrors: try again next time
                log(f"{self.id}: heartbeat failed: {error}")

    def extend(self, lease_id):
        try:
            self.api.request(EXTEND, id=lease_id, ms=self.args.lease_extension_ms, consumerId=self.id, epoch=self.epoch)
        except HandoffError as error:
            # CONFLICT: the job finished (and its lease ended) between reading in_hand and extending.
            if error.code != "CONFLICT" or self.in_hand == lease_id:
                raise

    def request_stop(self, signum, frame):
        self.stopping = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("id", help="the consumer id (a CONSUMER key for it in HANDOFF_TOKEN)")
    parser.add_argument("--pool", default="default")
    parser.add_argument("--work-ms", type=int, default=500, help="how long each job takes (the example's stand-in for work)")
    parser.add_argument("--heartbeat-s", type=float, default=5.0, help="keep it well under the server's heartbeat TTL (15 s)")
    parser.add_argument("--lease-extension-ms", type=int, default=60_000, help="a running job's lease is kept this far ahead")
    parser.add_argument("--drain-timeout-s", type=float, default=60.0, help="how long a drain waits for leases already taken")
    worker = Worker(parser.parse_args())
    signal.signal(signal.SIGTERM, worker.request_stop)
    signal.signal(signal.SIGINT, worker.request_stop)
    worker.run()


if __name__ == "__main__":
    sys.exit(main())
