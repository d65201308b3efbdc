"""``CheckResult.cause`` says why a check is an ERROR, so front ends never parse message prefixes.

The engine sets it; ``ClusterSession.check_once`` uses it to tell an outage (reconnect, show an
environment problem) from a broken checker (show the verdict); the cache classifies errors by type.
"""

from __future__ import annotations

import http.client

import pytest
import urllib3.exceptions

from tests.unit.test_grading_engine import exercise, grade
from tests.unit.test_grading_fakes import FakeClock, FakeReader
from tutor.errors import ApiError, ClusterUnavailable, UnknownKind
from tutor.grading.cache import RoundCache, is_unreachable
from tutor.model import CheckRef, Pack
from tutor.practice.cluster_session import ClusterSession
from tutor.results import Cause, Status

POD = CheckRef("match", {"apiVersion": "v1", "kind": "Pod", "name": "x"}, timeout=1)


def _failing_reader(exc: BaseException) -> FakeReader:
    reader = FakeReader()

    def fail() -> None:
        raise exc

    reader.on_list = fail
    return reader


@pytest.mark.parametrize(
    "raised,cause",
    [
        (ConnectionRefusedError("refused"), Cause.UNAVAILABLE),
        (urllib3.exceptions.MaxRetryError(None, "/api", "down"), Cause.UNAVAILABLE),
        (http.client.RemoteDisconnected("gone"), Cause.UNAVAILABLE),
        (ApiError(503, "ServiceUnavailable", "etcd is down"), Cause.UNAVAILABLE),
        (ApiError(403, "Forbidden", "no list on pods"), Cause.API),
    ],
)
def test_the_engine_names_the_cause_of_an_error(raised, cause):
    _, [res] = grade(_failing_reader(raised), FakeClock(), exercise(POD))
    [check] = res.checks
    assert check.status is Status.ERROR and check.cause is cause
    assert "cause" not in check.to_dict()  # the JSON report's format does not change


def test_checker_bugs_and_bad_references_are_not_the_cluster():
    ex = exercise(CheckRef("buggy"), CheckRef("nope"), CheckRef("dep.ready", {"nam": "web"}))
    _, [res] = grade(FakeReader(), FakeClock(), ex)
    assert [c.cause for c in res.checks] == [Cause.CHECKER, Cause.REFERENCE, Cause.REFERENCE]


def test_verdicts_have_no_cause():
    _, [res] = grade(FakeReader(), FakeClock(), exercise(POD, CheckRef("flaky", {"messages": []})))
    assert [c.status for c in res.checks] == [Status.TIMEOUT, Status.FAIL]
    assert {c.cause for c in res.checks} == {Cause.NONE}


def test_the_cache_classifies_errors_by_type():
    assert RoundCache(_failing_reader(UnknownKind("no such kind"))).list("x/v1", "Widget", None) == []
    assert is_unreachable(urllib3.exceptions.ProtocolError("reset"))
    assert not is_unreachable(ApiError(403, "Forbidden", "no"))

    class UnknownKindLookalike(Exception):  # the old class-name match would have swallowed this
        pass

    UnknownKindLookalike.__name__ = "UnknownKind"
    with pytest.raises(UnknownKindLookalike):
        RoundCache(_failing_reader(UnknownKindLookalike("boom"))).list("x/v1", "Widget", None)


class _Session(ClusterSession):
    """A ClusterSession whose grader is the unit engine on a fake reader (no kubeconfig)."""

    def __init__(self, reader: FakeReader) -> None:
        super().__init__()
        self.reader = reader
        self.dropped = 0

    def capabilities(self) -> frozenset[str]:
        return frozenset({"api"})

    def grader(self, pack, *, timeout=None, max_timeout=None):
        return grade(self.reader, FakeClock(), exercise())[0]

    def drop(self) -> None:
        self.dropped += 1


def test_check_once_turns_only_an_outage_into_cluster_unavailable():
    pack = Pack(id="p", title="P", version="1", root=None, lessons=(), checks_dir=None)
    down = _Session(_failing_reader(ConnectionRefusedError("refused")))
    with pytest.raises(ClusterUnavailable, match="cluster unavailable"):
        down.check_once(pack, exercise(POD))
    assert down.dropped == 1
    buggy = _Session(FakeReader())
    result = buggy.check_once(pack, exercise(CheckRef("buggy")))
    assert result.checks[0].cause is Cause.CHECKER and buggy.dropped == 0
