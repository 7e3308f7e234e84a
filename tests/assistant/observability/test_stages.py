"""Stage timing: exclusive time of nested stages, reported even on errors, per context."""

from __future__ import annotations

import threading
import time

import pytest

from assistant.observability.stages import NullObserver, RecordingObserver, timed

pytestmark = pytest.mark.unit


def test_nested_stage_time_is_not_counted_twice() -> None:
    observer = RecordingObserver()
    with timed(observer, "reply"):
        time.sleep(0.02)
        with timed(observer, "retrieve"):
            time.sleep(0.05)
    recorded = dict(observer.stages)
    assert list(recorded) == ["retrieve", "reply"]
    assert recorded["retrieve"] >= 0.05
    # reply's own time is the 20 ms outside retrieval, not the 70 ms total
    assert 0.02 <= recorded["reply"] < 0.045


def test_sibling_stages_all_subtract_from_the_parent() -> None:
    observer = RecordingObserver()
    with timed(observer, "reply"):
        for stage in ("retrieve", "rerank"):
            with timed(observer, stage):  # type: ignore[arg-type]
                time.sleep(0.03)
    recorded = dict(observer.stages)
    assert recorded["reply"] < 0.02 and recorded["retrieve"] >= 0.03 <= recorded["rerank"]


def test_a_failing_stage_is_still_reported() -> None:
    observer = RecordingObserver()
    with pytest.raises(RuntimeError), timed(observer, "parse"):
        raise RuntimeError("boom")
    assert [s for s, _ in observer.stages] == ["parse"]
    # and the failed stage is closed: the next one is not nested under it
    with timed(observer, "store"):
        pass
    assert len(observer.stages) == 2


def test_threads_do_not_nest_into_each_other() -> None:
    """A stage open in one thread must not absorb another thread's stages."""
    observers = [RecordingObserver(), RecordingObserver()]
    inside = threading.Barrier(2)

    def run(observer: RecordingObserver, outer: bool) -> None:
        if outer:
            with timed(observer, "reply"):
                inside.wait()
                time.sleep(0.05)
        else:
            inside.wait()
            with timed(observer, "retrieve"):
                time.sleep(0.05)

    threads = [threading.Thread(target=run, args=(o, i == 0)) for i, o in enumerate(observers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert dict(observers[0].stages)["reply"] >= 0.05  # nothing subtracted from another thread


def test_null_observer_accepts_everything() -> None:
    observer = NullObserver()
    with timed(observer, "parse"):
        observer.observe_intent("search")
        observer.observe_turn_error("ValueError")
