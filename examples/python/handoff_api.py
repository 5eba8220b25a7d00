"""Handoff's GraphQL API over HTTP, with requests: what the Python consumer and producer share.

Only Debian's packages are needed (python3-requests; the consumer and producer add python3-kafka
and python3-websockets): run the examples with /usr/bin/python3.
"""
import os
import threading
import time

import requests

# The Kafka record headers of every job (src/protocol/headers.ts). A producer that produces a job
# itself must set both; Handoff sets them on everything it produces.
LEASE_ID_HEADER = "handoff-lease-id"
ATTEMPT_HEADER = "handoff-attempt"
# What a plain record on a pool's intake topic may say (all optional; src/protocol/headers.ts intakeHeaders).
INTAKE_LABELS_HEADER = "handoff-labels"  # comma-separated
INTAKE_PRIORITY_HEADER = "handoff-priority"  # -10 … 10
INTAKE_FAIRNESS_KEY_HEADER = "handoff-fairness-key"
INTAKE_IDEMPOTENCY_KEY_HEADER = "handoff-idempotency-key"


class HandoffError(Exception):
    """A refusal from Handoff: `code` is the GraphQL error's extensions.code (README: Error codes)."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code


def error_from(graphql_error):
    """A HandoffError from one entry of a GraphQL response's `errors`."""
    code = (graphql_error.get("extensions") or {}).get("code", "INTERNAL_SERVER_ERROR")
    return HandoffError(code, graphql_error.get("message", ""))


class Handoff:
    """Sends GraphQL operations to Handoff with an API key. Safe to share between threads."""

    def __init__(self, url, token):
        self.url = url
        self.headers = {"authorization": f"Bearer {token}"}
        # requests.Session is not documented as thread-safe: one per thread.
        self._local = threading.local()

    def request(self, query, **variables):
        """Runs one query or mutation and returns its data; raises HandoffError when Handoff refuses."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        response = session.post(self.url, json={"query": query, "variables": variables}, headers=self.headers, timeout=60)
        if "json" not in response.headers.get("content-type", ""):
            response.raise_for_status()  # not GraphQL at all (a proxy's error page, say)
            raise HandoffError("INTERNAL_SERVER_ERROR", f"unexpected {response.status_code} answer: {response.text[:200]}")
        body = response.json()
        if body.get("errors"):
            raise error_from(body["errors"][0])
        return body["data"]

    def request_again_on_network_errors(self, query, attempts=4, **variables):
        """request(), sent again while the network fails. Only for calls a key makes idempotent
        (dispatch with requestKey, submitJobs with idempotencyKey): a lost answer is not a second job."""
        for attempt in range(1, attempts + 1):
            try:
                return self.request(query, **variables)
            except (requests.ConnectionError, requests.Timeout):
                if attempt == attempts:
                    raise
                time.sleep(0.2 * 2**attempt)


def from_environment():
    """HANDOFF_URL (default http://127.0.0.1:4000/graphql) and HANDOFF_TOKEN (the API key)."""
    return Handoff(os.environ.get("HANDOFF_URL", "http://127.0.0.1:4000/graphql"), os.environ.get("HANDOFF_TOKEN", ""))


def kafka_brokers():
    """KAFKA_BROKERS as kafka-python's bootstrap_servers (default 127.0.0.1:9092)."""
    return os.environ.get("KAFKA_BROKERS", "127.0.0.1:9092").split(",")
