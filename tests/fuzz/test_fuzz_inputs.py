"""Fuzz every input kind: scenario YAML (text and structure), tracker configs,
detection files, track/truth files, sweep specs, SQL, CLI arguments.

Each case must meet :class:`conftest.Contract` (success or a one-line
IadsimError, in time, in memory). Data generated bad on purpose (NaN, inf,
negative ranges, unknown ids) must be refused: accepting it is a failure.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fuzz_contract import FAST_N, SLOW_N, Contract
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from iadsim.scenario.limits import check_limits
from iadsim.scenario.load import load_scenario_data, parse_yaml, read_scenario_yaml

PRESET_TEXT = (
    Path(__file__).resolve().parents[2] / "src/iadsim/scenario/presets/stealth-penetration.yaml"
).read_text(encoding="utf-8")
PRESET, _ = read_scenario_yaml("stealth-penetration")

HOSTILE_TOKENS = [
    "&a", "*a", "[", "]", "{", "}", ": ", "- ", "? ", "\x00", "\t", "!!python/object:os.system",
    "1e308", "-1e308", ".nan", ".inf", "-1", "0", "1e-300", "~", "'", '"', "\\", "\ufeff",
    "<<: *a", "!!binary", "%YAML 1.1", "---", "...", "#", "|", ">", "\u202e", "9" * 400,
]  # fmt: skip
HOSTILE_VALUES: list[Any] = [
    None, True, -1, 0, 1e-300, 1e-6, 1e308, -1e308, float("nan"), float("inf"), 10**30,
    "", "x" * 5000, "free", [], {}, [1, 2], {"kind": "x"}, [[[[]]]], "\x00", 2**63,
]  # fmt: skip


def _settings(n: int) -> Any:
    """Run a @given target with ``max_examples=n`` (no deadline: the contract times
    each case). ``settings(...)(target)`` may decorate a function only once, and the
    fast and the slow test share targets, so the settings are swapped in for the
    call (hypothesis reads them from the attribute it sets itself)."""
    chosen = settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck))

    def apply(fn: Any) -> Any:
        def run(*args: Any) -> None:
            key = "_hypothesis_internal_use_settings"
            previous = getattr(fn, key)
            setattr(fn, key, chosen)
            try:
                fn(*args)
            finally:
                setattr(fn, key, previous)

        return run

    return apply


def _load(data: Any, file: str = "fuzz.yaml") -> None:
    if not isinstance(data, dict):
        from iadsim.errors import ScenarioError

        raise ScenarioError(f"{file}: the scenario must be a YAML mapping")
    check_limits(load_scenario_data(data, file=file))


# -- scenario YAML as text ------------------------------------------------------------
@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    text = PRESET_TEXT
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "dup"]))
        if op == "insert":
            tok = draw(st.sampled_from(HOSTILE_TOKENS) | st.text(max_size=8))
            text = text[:pos] + tok + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 40)) :]
        else:
            end = min(len(text), pos + draw(st.integers(1, 200)))
            text = text[:end] + text[pos:end] * draw(st.integers(1, 5)) + text[end:]
    return text


def _yaml_case(text: str) -> None:
    _load(parse_yaml(text, "fuzz.yaml"))


@example("name: " + "[" * 600 + "]" * 600)
@example("? [a, b]\n: 1\n")
@example(
    "a: &a ['x','x','x','x','x','x','x','x','x']\n"
    + "".join(
        f"a{i}: &a{i} [" + ",".join(["*a" if i == 1 else f"*a{i - 1}"] * 9) + "]\n"
        for i in range(1, 9)
    )
    + "name: x\nsimulation: {duration_s: *a8}\n"
)
@example("name: x\x00\n")
@given(text=mutated_text())
def _scenario_text(contract: Contract, text: str) -> None:
    contract(lambda: _yaml_case(text))


def test_fuzz_scenario_yaml_text(contract: Contract) -> None:
    _settings(FAST_N)(_scenario_text)(contract)


# -- scenario structure: hostile values at random places -------------------------------
def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


PATHS = [p for p in _paths(PRESET) if p]


def _mutate(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


# full profile, 2026-12-03: a denormal C2 cycle made the event estimate inf (OverflowError)
@example(edits=[(("simulation", "c2_cycle_s"), 5e-324)])
@example(edits=[(("simulation", "truth_step_s"), 5e-324)])
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(PATHS), st.sampled_from(HOSTILE_VALUES) | st.floats()),
        min_size=1,
        max_size=4,
    )
)
def _scenario_structure(contract: Contract, edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    data: dict[str, Any] = PRESET
    for path, value in edits:
        try:
            data = _mutate(data, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit replaced a parent
    contract(lambda: _load(data))


def test_fuzz_scenario_structure(contract: Contract) -> None:
    _settings(FAST_N)(_scenario_structure)(contract)


# -- tracker configs --------------------------------------------------------------------
TRACKER_KEYS = {
    "motion": [{"kind": "cv", "q_m2ps3": 1.0}, {"kind": "ct"}, {"kind": "singer", "tau_s": 0}],
    "filter": [{"kind": "imm"}, {"kind": "ukf", "alpha": -1}, {"kind": "kf"}],
    "association": [{"kind": "jpda"}, {"kind": "gnn", "gate_probability": 1.5}],
    "initiation": [{"kind": "m_of_n", "m": 5, "n": 2}, {"kind": "score"}],
    "dims": [2, 3, 4],
    "cartesian_sigma_m": [5.0, -1.0],
    "sensors": [{0: {"e_m": 0, "n_m": 0, "u_m": 0}}, {"a": 1}],
}


@example(cfg={"\n": None})  # a key with a newline once made a two-line error
@given(
    cfg=st.dictionaries(
        st.sampled_from(sorted(TRACKER_KEYS)) | st.text(max_size=5),
        st.sampled_from(HOSTILE_VALUES)
        | st.sampled_from([v for vs in TRACKER_KEYS.values() for v in vs]),
        max_size=6,
    )
)
def _tracker_config(contract: Contract, cfg: dict[str, Any]) -> None:
    import yaml

    from iadsim.cli.track import load_track_config

    def case() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            f = Path(tmp) / "tracker.yaml"
            f.write_text(yaml.safe_dump(cfg, allow_unicode=True))
            load_track_config(f)

    contract(case)


def test_fuzz_tracker_config(contract: Contract) -> None:
    _settings(FAST_N)(_tracker_config)(contract)


# -- detection files --------------------------------------------------------------------
BAD_FLOATS = [np.nan, np.inf, -np.inf, -5.0, 1e300]


@st.composite
def detection_table(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    n = draw(st.integers(0, 30))
    polar = draw(st.booleans())
    t = np.sort(np.asarray(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), float))
    if polar:
        cols: dict[str, Any] = {
            "time": t, "range": np.full(n, 20e3), "azimuth": np.full(n, 0.5),
            "elevation": np.full(n, 0.05), "sensor": np.zeros(n, np.int64),
        }  # fmt: skip
    else:
        cols = {"time": t, "x": np.zeros(n) + 1e3, "y": np.zeros(n), "sigma": np.ones(n) * 5}
    bad_cols: set[str] = set()
    missing = False
    if n and draw(st.booleans()):
        name = draw(st.sampled_from(sorted(cols)))
        row = draw(st.integers(0, n - 1))
        value = draw(st.sampled_from(BAD_FLOATS))
        if name == "sensor":
            value = draw(st.sampled_from([7, 1e30, 0.5, -1]))
        arr = np.asarray(cols[name], dtype=float).copy()
        arr[row] = value
        cols[name] = arr
        plausible = name in ("x", "y", "time", "azimuth") and value == -5.0  # angles wrap
        if not plausible or (name == "time" and np.any(np.diff(arr) < 0)):
            bad_cols.add(name)
    if n and draw(st.booleans()):  # a column of the wrong type or a missing column
        name = draw(st.sampled_from(sorted(cols)))
        bad_cols.discard(name)
        if draw(st.booleans()):
            cols[name] = np.array(["x"] * n)
            bad_cols.add(name)
        else:
            del cols[name]
            missing = name != "sigma"  # sigma is optional
    bad = n == 0 or bool(bad_cols) or missing
    return cols, bad


@given(case=detection_table())
def _detections(contract: Contract, case: tuple[dict[str, Any], bool]) -> None:
    from iadsim.cli.track import track_file

    cols, bad = case
    accepted = []

    def run() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            det = Path(tmp) / "det.parquet"
            pq.write_table(pa.table(cols) if cols else pa.table({"x": []}), det)
            cfg = Path(tmp) / "t.yaml"
            cfg.write_text(  # polar sensors state their noise (no silent default)
                "sensors: {0: {e_m: 0, n_m: 0, u_m: 0, sigma_range_m: 30, "
                "sigma_az_deg: 0.2, sigma_el_deg: 0.2}}\n"
            )
            track_file(det, Path(tmp) / "out.parquet", cfg)
            accepted.append(True)

    contract(run)
    contract.refused(bad, bool(accepted), f"detections {cols}")


def test_fuzz_detection_files(contract: Contract) -> None:
    _settings(FAST_N)(_detections)(contract)


# -- track and truth files ---------------------------------------------------------------
@st.composite
def track_truth(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], bool]:
    n = draw(st.integers(1, 20))
    t = np.sort(np.asarray(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), float))
    ids = np.arange(n) % 3 + 1
    order = np.lexsort((ids, t))
    t, ids = t[order], ids[order]
    dup = np.r_[False, (np.diff(t) == 0) & (np.diff(ids) == 0)]
    t, ids = t[~dup], ids[~dup]
    n = t.size
    tracks: dict[str, Any] = {
        "time": t, "track_id": ids.astype(float), "status": np.ones(n, np.int64),
        "x": np.zeros(n), "y": np.zeros(n), "vx": np.zeros(n), "vy": np.zeros(n),
        "var_x": np.ones(n),
    }  # fmt: skip
    truth = {"time": np.arange(5.0), "id": np.ones(5, np.int64), "x": np.zeros(5), "y": np.zeros(5)}
    bad = False
    if draw(st.booleans()):
        name = draw(st.sampled_from(["time", "track_id", "x", "vy", "var_x", "status"]))
        row = draw(st.integers(0, n - 1))
        arr = np.asarray(tracks[name], dtype=float).copy()
        arr[row] = draw(st.sampled_from([np.nan, np.inf, 1e30, -1.0, 0.5]))
        tracks[name] = arr
        v = arr[row]
        ok = (
            (name in ("x", "vy") and v in (-1.0, 0.5))
            or (name == "track_id" and v == -1.0)  # any whole number is an id
            or (name == "var_x" and (bool(np.isnan(v)) or v == 0.5))  # NaN: not given
            or (name == "time" and v in (-1.0, 0.5) and bool(np.all(np.diff(arr) >= 0)))
        )
        if name == "track_id" and ok:  # the new id may duplicate one at the same time
            ids_ = arr
            pairs = set()
            for ti, ii in zip(t, ids_, strict=True):
                ok = ok and (ti, ii) not in pairs
                pairs.add((ti, ii))
        bad = not ok
    return tracks, truth, bad


@given(case=track_truth())
def _track_files(contract: Contract, case: tuple[dict[str, Any], dict[str, Any], bool]) -> None:
    from iadsim.analysis.metrics import score_frames, track_life_nees
    from iadsim.analysis.trackfiles import check_score_size, tracks_from_table, truth_from_table

    tracks, truth, bad = case
    accepted = []

    def run() -> None:
        tf = tracks_from_table(pa.table(tracks), file="t.parquet")
        th = truth_from_table(pa.table(truth), file="truth.parquet")
        check_score_size(tf, th)
        score_frames(th.truth, tf.tracks, c_m=50.0, p=1.0, alpha=2.0, statuses=None, n_dim=2)
        life = track_life_nees(th.truth, tf.tracks, n_dim=2, truth_class=th.classes)
        assert all(np.isfinite(c.nees_mean) and c.nees_mean >= 0 for c in life.classes)
        accepted.append(True)

    contract(run)
    contract.refused(bad, bool(accepted), f"tracks {tracks}")


def test_fuzz_track_files(contract: Contract) -> None:
    _settings(FAST_N)(_track_files)(contract)


# -- score parameters: extreme --c / --p / --alpha on real files ---------------------------
@st.composite
def score_params(draw: st.DrawFn) -> tuple[float, float, float]:
    extreme = st.sampled_from([1e308, -1e308, 1e-308, 5e-324, 0.0, 1.0, 2.0, 300.0, 1e6])
    any_float = st.floats(allow_nan=True, allow_infinity=True)
    c, p, alpha = (draw(extreme | any_float) for _ in range(3))
    return c, p, alpha


@example(params=(50.0, 1e308, 2.0))  # c^p overflowed: "cost matrix is infeasible" ValueError
@example(params=(1e200, 2.0, 2.0))  # c^p overflowed in Python: OverflowError
@example(params=(1e-300, 2.0, 2.0))  # c^p underflowed to 0: every score silently 0
@given(params=score_params())
def _score_params(contract: Contract, params: tuple[float, float, float]) -> None:
    from iadsim.analysis.metrics import score_frames
    from iadsim.analysis.trackfiles import tracks_from_table, truth_from_table

    c, p, alpha = params
    t = np.arange(4.0)
    tracks = tracks_from_table(
        pa.table({"time": t, "track_id": np.ones(4, np.int64), "status": np.ones(4, np.int64),
                  "x": t + 3, "y": t, "vx": t * 0, "vy": t * 0, "var_x": t + 1}),
        file="t.parquet",
    ).tracks  # fmt: skip
    truth = truth_from_table(
        pa.table({"time": t, "id": np.ones(4, np.int64), "x": t, "y": t}), file="truth.parquet"
    ).truth

    def run() -> None:
        res = score_frames(truth, tracks, c_m=c, p=p, alpha=alpha, n_dim=2)
        g = res.series.gospa_m
        assert np.all(np.isfinite(g)) and np.all(g >= 0), f"GOSPA {g} for c={c}, p={p}"
        assert np.all(g <= c * 2 ** (1 / p) + 1e-9 * c), "GOSPA above its bound"
        assert np.all(g > 0), f"GOSPA 0 with a 3 m error (c={c}, p={p}): underflow"

    contract(run)


def test_fuzz_score_params(contract: Contract) -> None:
    _settings(FAST_N)(_score_params)(contract)


# -- sweep specs -------------------------------------------------------------------------
SWEEP_PIECES = [
    "threats[0].count", "threats[99].count", "simulation.c2_cycle_s",
    "batteries[0].doctrine.salvo", "x", "[0]", "a..b", "threats[-1]", "=", ",", "1", "2", "-1",
    "1e-6", "[1,2]", "{a: 1}", "&a", "*a", "nan", "'x", "0", "1e9",
]  # fmt: skip


@example(specs=["\n"])  # a newline in --sweep once made a two-line error
@given(
    specs=st.lists(
        st.lists(st.sampled_from(SWEEP_PIECES) | st.text(max_size=4), min_size=1, max_size=6).map(
            "".join
        ),
        min_size=1,
        max_size=3,
    )
)
def _sweeps(contract: Contract, specs: list[str]) -> None:
    from iadsim.analysis.campaign.runner import plan_campaign
    from iadsim.cli.campaign import _parse_sweeps

    def run() -> None:
        parsed = _parse_sweeps(specs)
        plan_campaign(PRESET, scenario="p", file="p.yaml", runs=1, root_seed=1, grid=dict(parsed))

    contract(run)


def test_fuzz_sweep_specs(contract: Contract) -> None:
    _settings(FAST_N // 2)(_sweeps)(contract)


# -- SQL ---------------------------------------------------------------------------------
SQL_PIECES = [
    "SELECT", "*", "FROM", "results", "threats", "failures", "WHERE", "task_id", ">", "1",
    "GROUP BY", "ORDER BY", "LIMIT", "10", "COPY", "TO", "'/tmp/x.csv'", "ATTACH",
    "EXPORT DATABASE", "read_csv(",
    "'/etc/passwd'", ")", "(", ",", ";", "INSTALL", "LOAD", "httpfs", "SET", "memory_limit", "=",
    "'100GB'", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM r)", "range(1000000000)",
    "repeat('x', 100000)", "count(*)", "CREATE TABLE t AS", "PRAGMA", "glob('/*')", "'", "--",
]  # fmt: skip


@pytest.fixture(scope="module")
def campaign_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis" / "campaign"))
    from campaign_fakes import fake_simulate, make_plan

    from iadsim.analysis.campaign.runner import run_campaign

    root = tmp_path_factory.mktemp("fuzzq") / "c"
    run_campaign(make_plan(runs=4, seed=1), root, simulate=fake_simulate)
    return root


@given(pieces=st.lists(st.sampled_from(SQL_PIECES) | st.text(max_size=6), min_size=1, max_size=10))
def _sql(contract: Contract, root: Path, pieces: list[str]) -> None:
    from iadsim.analysis.campaign.query import QueryProcessError, run_query

    before = sorted(str(p) for p in root.rglob("*"))
    sql = " ".join(pieces)

    def run() -> None:
        try:
            run_query(root, sql, timeout_s=2.0, max_bytes=64 * 1024**2, memory_limit="256MB",
                      memory_mib=SQL_MEMORY_MIB)  # fmt: skip
        except QueryProcessError as err:  # the query process crashed: a traceback's equal
            raise RuntimeError(str(err)) from err

    contract(run, case=sql)
    assert sorted(str(p) for p in root.rglob("*")) == before, "the query wrote into the campaign"


#: data-segment limit of the query process in the SQL fuzz (MiB)
SQL_MEMORY_MIB = 1024


def _children_peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _query_process_peak(contract: Contract, before_mib: float) -> None:
    """Record the peak RSS of the query processes (``query_child_peak_rss_mib``): stop
    the fork server (it waits for every query process it forked), then read this
    process's children's peak, which includes reaped descendants (an upper bound:
    any earlier child counts too, hence the check only when the peak rose)."""
    import multiprocessing.forkserver as fs

    server = getattr(fs, "_forkserver", None)
    if server is not None and getattr(server, "_forkserver_pid", None):
        server._stop()
    peak = _children_peak_mib()
    contract.extra["query_child_peak_rss_mib"] = peak
    assert peak <= before_mib or peak < SQL_MEMORY_MIB + 512, f"a query process used {peak:.0f} MiB"


def test_fuzz_sql(contract: Contract, campaign_dir: Path) -> None:
    before = _children_peak_mib()
    _settings(FAST_N)(_sql)(contract, campaign_dir)
    _query_process_peak(contract, before)


# -- CLI arguments -------------------------------------------------------------------------
CLI_TOKENS = [
    "validate", "query", "score", "track", "campaign", "summarize", "presets", "catalog", "show",
    "--seed", "-1", "--runs", "0", "--csv", "--out", "/nonexistent/x", "/", "--p", "1e308", "--c",
    "nan", "--alpha", "3", "--config", "-o", "--help", "stealth-penetration", "x.yaml",
    "--max-rows", "-5", "--sweep", "threats[0].count=1,2", "--zip", "--resume",
    "--retry-failed", "--no-limits",
    "SELECT 1", "--confidence", "2",
]  # fmt: skip


@example(args=["score", "", "validate"])  # an empty TRACKS path was a ValueError
@example(args=["score", "x.yaml", "x.yaml", "--p", "1e308"])  # c^p overflowed: ValueError
@given(args=st.lists(st.sampled_from(CLI_TOKENS) | st.text(max_size=5), min_size=1, max_size=6))
def _cli(contract: Contract, args: list[str]) -> None:
    from typer.testing import CliRunner

    from iadsim.cli import app
    from iadsim.errors import IadsimError

    if args[0] == "campaign" and "run" in args:
        return  # a valid campaign run would run simulations (covered by the campaign tests)

    def run() -> None:
        res = CliRunner().invoke(app, args)
        if res.exception is not None and not isinstance(res.exception, SystemExit):
            if isinstance(res.exception, IadsimError):
                raise res.exception
            raise res.exception
        assert "Traceback" not in res.output

    contract(run, case=" ".join(args))


def test_fuzz_cli_args(contract: Contract) -> None:
    _settings(FAST_N)(_cli)(contract)


# -- slow profile: the same targets, many more cases -----------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    "target",
    ["scenario_text", "scenario_structure", "tracker_config", "detections", "track_files",
     "score_params", "sweeps", "sql", "cli"],
)  # fmt: skip
def test_fuzz_slow(contract: Contract, campaign_dir: Path, target: str) -> None:
    fn = globals()[f"_{target}"]
    inner = _settings(SLOW_N)(fn)
    if target == "sql":
        before = _children_peak_mib()
        inner(contract, campaign_dir)
        _query_process_peak(contract, before)
    else:
        inner(contract)
