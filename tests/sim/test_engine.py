"""Discrete-event engine (iadsim.sim.engine): ordering, periodic events, bounds."""

from __future__ import annotations

import pytest

from iadsim.sim.engine import PRIORITY_C2, PRIORITY_DWELL, PRIORITY_INTERCEPT, Engine


def test_events_run_in_time_order() -> None:
    eng = Engine(100.0)
    log: list[tuple[str, float]] = []
    for name, t in (("c", 30.0), ("a", 10.0), ("d", 99.5), ("b", 20.0)):
        eng.schedule(t, lambda ts, name=name: log.append((name, ts)))
    eng.run()
    assert log == [("a", 10.0), ("b", 20.0), ("c", 30.0), ("d", 99.5)]
    assert eng.n_events == 4
    assert eng.now_s == 100.0


def test_equal_times_run_by_priority_then_insertion() -> None:
    eng = Engine(10.0)
    log: list[str] = []
    eng.schedule(5.0, lambda t: log.append("c2"), PRIORITY_C2)
    eng.schedule(5.0, lambda t: log.append("dwell-1"), PRIORITY_DWELL)
    eng.schedule(5.0, lambda t: log.append("intercept"), PRIORITY_INTERCEPT)
    eng.schedule(5.0, lambda t: log.append("dwell-2"), PRIORITY_DWELL)
    eng.schedule(4.0, lambda t: log.append("early-c2"), PRIORITY_C2)
    eng.run()
    assert log == ["early-c2", "intercept", "dwell-1", "dwell-2", "c2"]
    assert PRIORITY_INTERCEPT < PRIORITY_DWELL < PRIORITY_C2


def test_every_runs_periodically_until_end() -> None:
    eng = Engine(10.0)
    ticks: list[float] = []
    eng.every(1.0, 2.5, ticks.append)
    eng.run()
    assert ticks == [1.0, 3.5, 6.0, 8.5]
    with pytest.raises(ValueError, match="period_s"):
        eng.every(0.0, 0.0, ticks.append)


def test_every_includes_end_time_and_interleaves_with_one_offs() -> None:
    eng = Engine(4.0)
    log: list[tuple[str, float]] = []
    eng.every(0.0, 2.0, lambda t: log.append(("tick", t)), priority=PRIORITY_C2)
    eng.schedule(2.0, lambda t: log.append(("hit", t)), PRIORITY_INTERCEPT)
    eng.run()
    assert log == [("tick", 0.0), ("hit", 2.0), ("tick", 2.0), ("tick", 4.0)]


def test_no_scheduling_in_the_past() -> None:
    eng = Engine(10.0)
    errors: list[Exception] = []
    seen: list[float] = []

    def at5(t: float) -> None:
        try:
            eng.schedule(4.0, seen.append)
        except ValueError as exc:
            errors.append(exc)
        eng.schedule(5.0, seen.append)  # now is allowed

    eng.schedule(5.0, at5)
    eng.run()
    assert len(errors) == 1 and "past" in str(errors[0])
    assert seen == [5.0]


def test_events_after_end_are_dropped() -> None:
    eng = Engine(10.0)
    ran: list[float] = []
    eng.schedule(10.0, ran.append)
    eng.schedule(10.000001, ran.append)
    eng.schedule(1e9, ran.append)
    eng.run()
    assert ran == [10.0]
    assert eng.n_events == 1


def test_actions_can_schedule_follow_ups_and_progress_is_called() -> None:
    eng = Engine(10.0)
    ran: list[float] = []
    progress: list[float] = []

    def chain(t: float) -> None:
        ran.append(t)
        eng.schedule(t + 3.0, chain)

    eng.schedule(0.0, chain)
    eng.run(progress.append)
    assert ran == [0.0, 3.0, 6.0, 9.0]
    assert progress == ran
