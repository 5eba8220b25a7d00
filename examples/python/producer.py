#!/usr/bin/python3
"""A Handoff producer in Python: sends each job to the next free consumer of a pool.

    HANDOFF_TOKEN=<a PRODUCER key of the pool> KAFKA_BROKERS=127.0.0.1:9092 \\
      /usr/bin/python3 examples/python/producer.py send 10 --pool images

Four ways, one per command:
  send      waits for a free consumer (awaitFreeConsumer over graphql-transport-ws, with websockets),
            records the job on the lease (attachJob), then produces it with kafka-python to the
            consumer's topic with the headers handoff-lease-id and handoff-attempt;
  dispatch  asks Handoff to claim (waiting up to --wait-ms) and produce in one HTTP call;
  submit    adds the jobs to the pool's backlog and returns at once: Handoff sends each when a slot
            takes it;
  intake    writes plain Kafka records to the pool's intake topic (kafka-python, no Handoff call but
            to learn the topic's name): each becomes a backlog job, as with submit.
Needs Debian's python3-websockets, python3-kafka and python3-requests (/usr/bin/python3).
"""
import argparse
import asyncio
import json
import os
import sys
import uuid

import websockets
from kafka import KafkaProducer

from handoff_api import (
    ATTEMPT_HEADER,
    INTAKE_FAIRNESS_KEY_HEADER,
    INTAKE_IDEMPOTENCY_KEY_HEADER,
    INTAKE_LABELS_HEADER,
    INTAKE_PRIORITY_HEADER,
    LEASE_ID_HEADER,
    HandoffError,
    error_from,
    from_environment,
    kafka_brokers,
)

AWAIT_FREE_CONSUMER = """subscription ($pool: String!, $ttlMs: Int, $requestKey: String) {
  awaitFreeConsumer(pool: $pool, ttlMs: $ttlMs, requestKey: $requestKey) { id attempt consumer { id topic } } }"""
ATTACH_JOB = """mutation ($id: ID!, $message: DispatchMessageInput!) { attachJob(id: $id, message: $message) { state } }"""
RELEASE = """mutation ($id: ID!) { releaseLease(id: $id) { state } }"""
DISPATCH = """mutation ($pool: String!, $message: DispatchMessageInput!, $waitMs: Int, $requestKey: String) {
  dispatch(pool: $pool, message: $message, waitMs: $waitMs, requestKey: $requestKey) {
    topic partition offset lease { id consumer { id } } } }"""
SUBMIT = """mutation ($pool: String!, $jobs: [SubmitJobInput!]!) { submitJobs(pool: $pool, jobs: $jobs) { id state } }"""
INTAKE_TOPIC = """query ($pool: String!) { stats(pool: $pool) { intakeTopic } }"""


def log(line):
    print(line, flush=True)


async def await_free_consumer(url, token, pool, request_key, ttl_ms=30_000, attempts=5):
    """Waits over graphql-transport-ws for a lease in `pool`. The request key makes the wait
    idempotent: after a dropped connection, the same key waits on (or gets) the same lease."""
    ws_url = url.replace("http", "ws", 1)
    for attempt in range(1, attempts + 1):
        try:
            async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as socket:
                await socket.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
                ack = json.loads(await socket.recv())
                if ack["type"] != "connection_ack":
                    raise HandoffError("UNAUTHENTICATED", f"the server answered connection_init with {ack}")
                variables = {"pool": pool, "ttlMs": ttl_ms, "requestKey": request_key}
                await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": AWAIT_FREE_CONSUMER, "variables": variables}}))
                async for raw in socket:
                    message = json.loads(raw)
                    if message["type"] == "ping":
                        await socket.send(json.dumps({"type": "pong"}))
                    elif message["type"] == "next":
                        if message["payload"].get("errors"):
                            raise error_from(message["payload"]["errors"][0])
                        return message["payload"]["data"]["awaitFreeConsumer"]
                    elif message["type"] == "error":  # the subscription was refused (bad input, FORBIDDEN, …)
                        raise error_from(message["payload"][0])
                    elif message["type"] == "complete":
                        raise HandoffError("NO_FREE_CONSUMER", f"the wait in {pool} ended without a lease")
                raise websockets.ConnectionClosedOK(None, None)  # the server closed the socket while we waited
        except (websockets.ConnectionClosed, OSError) as error:
            # A replica going away closes with 1001; the same request key picks the wait up again.
            if attempt == attempts:
                raise
            log(f"connection lost while waiting ({error}); waiting again as {request_key}")
            await asyncio.sleep(min(0.2 * 2**attempt, 5))


def record_headers(lease, headers):
    """The job's own headers plus the two every Handoff job record carries."""
    return [(key, value.encode()) for key, value in headers.items()] + [
        (LEASE_ID_HEADER, lease["id"].encode()),
        (ATTEMPT_HEADER, str(lease["attempt"]).encode()),
    ]


async def send(api, token, kafka, pool, key, value, request_key):
    lease = await await_free_consumer(api.url, token, pool, request_key)
    topic = lease["consumer"]["topic"]
    # Recorded before it is sent: if the consumer dies with the job, Handoff sends it again.
    await asyncio.to_thread(api.request, ATTACH_JOB, id=lease["id"], message={"key": key, "value": value, "headers": []})
    try:
        future = kafka.send(topic, key=key.encode(), value=value.encode(), headers=record_headers(lease, {}))
        metadata = await asyncio.to_thread(future.get, 30)
    except Exception:
        # Nothing acknowledged: give the slot back before reporting (the job is not sent).
        await asyncio.to_thread(api.request, RELEASE, id=lease["id"])
        raise
    log(f"sent {value} -> {lease['consumer']['id']} lease={lease['id']} ({topic}@{metadata.offset})")


async def send_all(api, token, pool, jobs, concurrency, run):
    # kafka-python 2.0 has no idempotent producer: one request in flight and acks from every replica.
    kafka = KafkaProducer(bootstrap_servers=kafka_brokers(), acks="all", retries=3, max_in_flight_requests_per_connection=1)
    limit = asyncio.Semaphore(concurrency)

    async def one(key, value):
        async with limit:
            await send(api, token, kafka, pool, key, value, request_key=f"{run}-{key}")  # one key per job

    try:
        await asyncio.gather(*(one(key, value) for key, value in jobs))
    finally:
        await asyncio.to_thread(kafka.close)


def dispatch_all(api, pool, jobs, wait_ms, run):
    for key, value in jobs:
        message = {"key": key, "value": value, "headers": []}
        # The same requestKey if the answer is lost and the call is sent again: the same lease, one record.
        dispatched = api.request_again_on_network_errors(DISPATCH, pool=pool, message=message, waitMs=wait_ms, requestKey=f"{run}-{key}")
        lease = dispatched["dispatch"]["lease"]
        log(f"dispatched {value} -> {lease['consumer']['id']} lease={lease['id']} ({dispatched['dispatch']['topic']})")


def submit_all(api, pool, jobs, run, order):
    # Idempotency keys: submitted again (a retry after a lost answer), no job is added twice.
    backlog = [{"key": key, "value": value, "idempotencyKey": f"{run}-{key}", **order} for key, value in jobs]
    submitted = api.request_again_on_network_errors(SUBMIT, pool=pool, jobs=backlog)["submitJobs"]
    for (key, value), job in zip(jobs, submitted):
        log(f"submitted {value} job={job['id']} ({job['state']})")


def intake_all(api, pool, jobs, run, order):
    topic = api.request(INTAKE_TOPIC, pool=pool)["stats"]["intakeTopic"]
    if topic is None:
        raise HandoffError("NOT_FOUND", f"pool {pool} has no intake topic yet (it comes with its first consumer; HANDOFF_INTAKE=off or no Kafka: none)")
    headers = []
    if "labels" in order:
        headers.append((INTAKE_LABELS_HEADER, ",".join(order["labels"]).encode()))
    if "priority" in order:
        headers.append((INTAKE_PRIORITY_HEADER, str(order["priority"]).encode()))
    if "fairnessKey" in order:
        headers.append((INTAKE_FAIRNESS_KEY_HEADER, order["fairnessKey"].encode()))
    kafka = KafkaProducer(bootstrap_servers=kafka_brokers(), acks="all", retries=3, max_in_flight_requests_per_connection=1)
    try:
        # An idempotency key per record: one a retry wrote twice is still one job.
        sends = [
            (value, kafka.send(topic, key=key.encode(), value=value.encode(), headers=headers + [(INTAKE_IDEMPOTENCY_KEY_HEADER, f"{run}-{key}".encode())]))
            for key, value in jobs
        ]
        for value, future in sends:
            metadata = future.get(30)
            log(f"written {value} to {topic} (partition {metadata.partition}, offset {metadata.offset})")
    finally:
        kafka.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("how", choices=["send", "dispatch", "submit", "intake"])
    parser.add_argument("count", type=int, nargs="?", default=10)
    parser.add_argument("--pool", default="default")
    parser.add_argument("--prefix", default="job", help="jobs are <prefix>-0, <prefix>-1, …")
    parser.add_argument("--concurrency", type=int, default=8, help="send: how many jobs wait for a consumer at once")
    parser.add_argument("--wait-ms", type=int, default=30_000, help="dispatch: how long each waits for a free consumer")
    parser.add_argument("--priority", type=int, help="submit, intake: -10 … 10, higher goes first")
    parser.add_argument("--labels", help="submit, intake: labels a consumer must carry, comma-separated")
    parser.add_argument("--fairness-key", help="submit, intake: a tenant or customer; slots go round-robin across keys")
    args = parser.parse_args()
    api = from_environment()
    jobs = [(f"{args.prefix}-{i}", json.dumps({"job": f"{args.prefix}-{i}"})) for i in range(args.count)]
    run = uuid.uuid4().hex[:8]  # this run's request and idempotency keys: <run>-<job key>
    order = {"priority": args.priority} if args.priority is not None else {}
    if args.labels:
        order["labels"] = args.labels.split(",")
    if args.fairness_key:
        order["fairnessKey"] = args.fairness_key
    if args.how == "send":
        asyncio.run(send_all(api, os.environ.get("HANDOFF_TOKEN", ""), args.pool, jobs, args.concurrency, run))
    elif args.how == "dispatch":
        dispatch_all(api, args.pool, jobs, args.wait_ms, run)
    elif args.how == "submit":
        submit_all(api, args.pool, jobs, run, order)
    else:
        intake_all(api, args.pool, jobs, run, order)


if __name__ == "__main__":
    sys.exit(main())
