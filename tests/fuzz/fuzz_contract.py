"""Fuzz profiles and the outcome contract every fuzz case must meet.

Profiles (per input kind): ``ci`` (default, fast), ``slow`` (``-m slow`` tests,
run in CI too), ``full`` (``IADSIM_FUZZ_PROFILE=full``: >= 10,000 cases per
kind; see README "Reliability"). Each case must end in success or in a
one-line :class:`iadsim.errors.IadsimError` within the time bound; anything
else (a traceback, a multi-line or unbounded message) fails the test, and
hypothesis keeps the failing example in its database; fixed regressions are
pinned with ``@example``.

``IADSIM_FUZZ_CASES=N`` sets the slow-marked tests' cases per kind.
``IADSIM_FUZZ_REPORT=FILE`` appends one JSON line per test with the counts of
successes and clean errors (the acceptance table is built from it).
``IADSIM_FUZZ_TALLY=1`` (for the acceptance table of a full run) counts contract
breaches -- tracebacks, hangs (a case over ``HANG_S``, interrupted by SIGALRM),
memory blow-ups (peak RSS up by more than ``CASE_GROWTH_MIB`` in one case) and
silent acceptances of bad data -- instead of failing at the first one; the
first examples of each are written to the report.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from iadsim.errors import IadsimError

#: cases per input kind for each profile: (fast test, slow-marked test)
PROFILES = {"ci": (60, 400), "full": (200, 10_000)}
PROFILE = os.environ.get("IADSIM_FUZZ_PROFILE", "ci")
FAST_N, SLOW_N = PROFILES.get(PROFILE, PROFILES["ci"])
SLOW_N = int(os.environ.get("IADSIM_FUZZ_CASES", SLOW_N))  # e.g. a shorter "full" run
#: seconds one case may take; MiB the process may grow by during one test
CASE_TIME_S = 10.0
GROWTH_MIB = 1500
TALLY = os.environ.get("IADSIM_FUZZ_TALLY") == "1"
#: tally mode: a case still running after HANG_S is interrupted and counted as a hang;
#: a case raising the peak RSS by more than CASE_GROWTH_MIB is a memory blow-up
HANG_S = 60
CASE_GROWTH_MIB = 500


class _Hang(BaseException):
    """Raised by SIGALRM in tally mode when a case runs past ``HANG_S``."""


def _alarm(signum: int, frame: Any) -> None:
    raise _Hang()


class Contract:
    """Run one fuzz case and classify it; fail on anything outside the contract."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.counts: Counter[str] = Counter()
        self.max_case_s = 0.0
        self.examples: dict[str, list[str]] = {}
        #: further figures for the report (e.g. the query processes' peak RSS)
        self.extra: dict[str, float] = {}

    def _breach(self, category: str, detail: str) -> None:
        self.counts[category] += 1
        self.examples.setdefault(category, [])
        if len(self.examples[category]) < 5:
            self.examples[category].append(detail[-1500:])

    def refused(self, bad: bool, accepted: bool, detail: str) -> None:
        """Check that bad data was refused (tally mode counts a silent acceptance)."""
        if bad and accepted:
            if not TALLY:
                raise AssertionError(f"bad data accepted silently: {detail}")
            self._breach("silent_acceptance", detail)

    def __call__(self, fn: Callable[[], Any], case: str = "") -> None:
        """Run ``fn`` (one case; ``case`` describes its input for the tally report)."""
        if not TALLY:
            self._strict(fn)
            return
        rss0 = _rss_mib()
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(HANG_S)
        t0 = time.perf_counter()
        try:
            self._strict(fn)
        except _Hang:
            self._breach("hang", f"over {HANG_S} s: {case[:500]!r}")
        except AssertionError as err:
            self._breach("contract", str(err))
        except Exception:
            self._breach("traceback", traceback.format_exc())
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        self.counts["cases"] += 1
        self.max_case_s = max(self.max_case_s, time.perf_counter() - t0)
        if _rss_mib() - rss0 > CASE_GROWTH_MIB:
            self._breach("memory_blowup", f"peak RSS +{_rss_mib() - rss0:.0f} MiB: {case[:500]!r}")

    def _strict(self, fn: Callable[[], Any]) -> None:
        t0 = time.perf_counter()
        try:
            fn()
            self.counts["ok"] += 1
        except IadsimError as err:
            text = str(err)
            assert text and "\n" not in text, f"multi-line error: {text!r}"
            assert len(text) < 1000, f"unbounded error message ({len(text)} chars)"
            assert "Traceback" not in text
            self.counts["clean_error"] += 1
        except SystemExit as done:
            assert done.code in (None, 0, 1, 2), done.code
            self.counts["exit_" + str(done.code)] += 1
        dt = time.perf_counter() - t0
        self.max_case_s = max(self.max_case_s, dt)
        assert dt < CASE_TIME_S, f"case took {dt:.1f} s"  # slow, not a hang (see HANG_S)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture
def contract(request: pytest.FixtureRequest) -> Iterator[Contract]:
    kind = request.node.name
    c = Contract(kind)
    rss0 = _rss_mib()
    yield c
    grown = _rss_mib() - rss0
    assert TALLY or grown < GROWTH_MIB, f"memory grew by {grown:.0f} MiB"
    report = os.environ.get("IADSIM_FUZZ_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as fh:
            line = {
                "kind": kind,
                "profile": PROFILE,
                **c.counts,
                "max_case_s": c.max_case_s,
                "rss_growth_mib": grown,
                **c.extra,
                "examples": c.examples,
            }
            fh.write(json.dumps(line) + "\n")
