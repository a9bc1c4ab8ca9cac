"""Columnar frames (iadsim.frames): Arrow round trip, validation, concat/select/empty."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from iadsim import geo
from iadsim.frames import (
    EVENT_KINDS,
    Detections,
    Events,
    Frame,
    Orders,
    Tracks,
    Truth,
    arrow_array,
    make_events,
)

FRAME_CLASSES: list[type[Frame]] = [Truth, Detections, Tracks, Orders, Events]


def _random_frame(cls: type[Frame], n: int, seed: int) -> Frame:
    rng = np.random.default_rng(seed)
    kwargs = {}
    for f in dataclasses.fields(cls):
        dt = f.metadata["dtype"]
        if dt.kind == "f":
            kwargs[f.name] = rng.normal(size=n) * 1e3
        elif dt.kind in "iu":
            kwargs[f.name] = rng.integers(-1, 100, size=n).astype(dt)
        elif dt.kind == "b":
            kwargs[f.name] = rng.random(n) < 0.5
        else:
            kwargs[f.name] = rng.choice(list(EVENT_KINDS), size=n)
    return cls(**kwargs)


def _assert_equal(a: Frame, b: Frame) -> None:
    assert type(a) is type(b)
    for name in a.columns():
        x, y = getattr(a, name), getattr(b, name)
        if x.dtype.kind == "U":  # string width may differ (<U15 vs <U16)
            assert y.dtype.kind == "U", name
        else:
            assert x.dtype == y.dtype, name
        assert np.array_equal(x, y), name


@pytest.mark.parametrize("cls", FRAME_CLASSES, ids=lambda c: c.__name__)
def test_arrow_round_trip(cls: type[Frame]) -> None:
    fr = _random_frame(cls, 37, seed=1)
    table = fr.to_arrow()
    assert isinstance(table, pa.Table)
    assert table.column_names == cls.columns()
    assert table.num_rows == 37
    _assert_equal(cls.from_arrow(table), fr)


@pytest.mark.parametrize("cls", FRAME_CLASSES, ids=lambda c: c.__name__)
def test_arrow_round_trip_through_parquet(cls: type[Frame], tmp_path) -> None:
    import pyarrow.parquet as pq

    fr = _random_frame(cls, 11, seed=2)
    pq.write_table(fr.to_arrow(), tmp_path / "f.parquet")
    _assert_equal(cls.from_arrow(pq.read_table(tmp_path / "f.parquet")), fr)


@pytest.mark.parametrize("cls", FRAME_CLASSES, ids=lambda c: c.__name__)
def test_from_arrow_ignores_extra_and_rejects_missing_columns(cls: type[Frame]) -> None:
    fr = _random_frame(cls, 5, seed=3)
    table = fr.to_arrow().append_column("extra", [np.arange(5)])
    _assert_equal(cls.from_arrow(table), fr)
    with pytest.raises(KeyError, match=cls.columns()[1]):
        cls.from_arrow(fr.to_arrow().drop_columns([cls.columns()[1]]))


@pytest.mark.parametrize("cls", FRAME_CLASSES, ids=lambda c: c.__name__)
def test_from_arrow_rejects_null_values(cls: type[Frame]) -> None:
    """A file with nulls (a damaged or foreign run file; iadsim writes none) is refused
    naming the column: a null time read as NaN wrote ASTERIX plots at time 0."""
    import pyarrow as pa

    fr = _random_frame(cls, 5, seed=5)
    table = fr.to_arrow()
    name = cls.columns()[0]
    k = table.column_names.index(name)
    holed = table.set_column(k, name, pa.nulls(5, table.schema.field(name).type))
    with pytest.raises(ValueError, match=f"column '{name}': 5 null values"):
        cls.from_arrow(holed)


@pytest.mark.parametrize("cls", FRAME_CLASSES, ids=lambda c: c.__name__)
def test_length_mismatch_raises(cls: type[Frame]) -> None:
    fr = _random_frame(cls, 4, seed=4)
    kwargs = {name: getattr(fr, name) for name in cls.columns()}
    last = cls.columns()[-1]
    kwargs[last] = kwargs[last][:3]
    with pytest.raises(ValueError, match=f"{cls.__name__}.{last}: length 3 != 4"):
        cls(**kwargs)


@pytest.mark.parametrize("cls", FRAME_CLASSES, ids=lambda c: c.__name__)
def test_two_dimensional_column_raises(cls: type[Frame]) -> None:
    fr = _random_frame(cls, 4, seed=5)
    kwargs = {name: getattr(fr, name) for name in cls.columns()}
    first = cls.columns()[0]
    kwargs[first] = np.zeros((4, 2))
    with pytest.raises(ValueError, match="must be 1-D"):
        cls(**kwargs)


@pytest.mark.parametrize("cls", FRAME_CLASSES, ids=lambda c: c.__name__)
def test_concat_select_empty(cls: type[Frame]) -> None:
    a, b = _random_frame(cls, 6, seed=6), _random_frame(cls, 3, seed=7)
    c = cls.concat([a, b])
    assert len(c) == 9
    _assert_equal(c.select(np.arange(6)), a)
    _assert_equal(c.select(np.arange(9) >= 6), b)
    picked = c.select(np.array([8, 0]))
    assert len(picked) == 2
    first = cls.columns()[0]
    assert getattr(picked, first)[0] == getattr(b, first)[2]
    e = cls.empty()
    assert len(e) == 0 and e.to_arrow().num_rows == 0
    assert len(cls.concat([])) == 0
    _assert_equal(cls.concat([e, a]), a)
    for f in dataclasses.fields(cls):
        if f.metadata["dtype"].kind != "U":
            assert getattr(e, f.name).dtype == f.metadata["dtype"]


def test_columns_are_read_only_and_cast() -> None:
    fr = _random_frame(Truth, 3, seed=8)
    with pytest.raises(ValueError):
        fr.e_m[0] = 1.0
    t = Truth(**{**{n: getattr(fr, n) for n in Truth.columns()}, "threat_id": [1.0, 2.0, 3.0]})
    assert t.threat_id.dtype == np.int64


def test_make_events_broadcasts_scalars() -> None:
    ev = make_events([1.0, 2.0], "launch", threat_id=3, value=[0.5, 0.7])
    assert isinstance(ev, Events)
    assert ev.kind.tolist() == ["launch", "launch"]
    assert ev.threat_id.tolist() == [3, 3]
    assert ev.track_id.tolist() == [-1, -1]
    assert np.isnan(make_events(0.0, "kill").value[0])


def test_detections_enu_matches_aer2enu() -> None:
    d = _random_frame(Detections, 20, seed=9)
    d = dataclasses.replace(d, range_m=np.abs(d.range_m) + 1.0)
    e, n, u = geo.aer2enu(d.az_rad, d.el_rad, d.range_m)
    expected = np.stack([e, n, u], axis=-1) + d.sensor_pos_m()
    assert np.allclose(d.enu_m(), expected, rtol=0, atol=1e-9)


@pytest.mark.parametrize("cls", FRAME_CLASSES)
@pytest.mark.parametrize("n", [0, 1, 37])
def test_to_arrow_equals_pyarrow_own_conversion(cls: type[Frame], n: int) -> None:
    """The buffer-built table equals ``pa.table`` of the same columns (pyarrow's own
    numpy converter is the oracle), for empty, single-row and larger frames."""
    fr = _random_frame(cls, n, seed=n)
    expected = pa.table({c: getattr(fr, c) for c in fr.columns()})
    assert fr.to_arrow().equals(expected)


@pytest.mark.parametrize(
    "values",
    [
        np.array(["", "a", "bé", "xyz\u4e2d", "tab\there"]),
        np.array(["", ""]),
        np.zeros(0, dtype="<U1"),
        np.array([True, False] * 9),
        np.arange(10.0)[::3],  # non-contiguous view
        np.array([3, 1], dtype=np.uint64),
        np.arange(4, dtype=np.int8),
    ],
)
def test_arrow_array_equals_pa_array(values: np.ndarray) -> None:
    assert arrow_array(values).equals(pa.array(values))


def test_writing_frames_does_not_import_pandas(tmp_path) -> None:
    """pyarrow's numpy converters import pandas when it is installed (~0.2 s per
    process); frames build Arrow arrays from buffers so a run never pays that."""
    code = (
        "import sys, numpy as np, pyarrow.parquet as pq\n"
        "from iadsim.frames import make_events\n"
        "t = make_events(np.arange(3.0), 'leak', detail='x').to_arrow()\n"
        f"pq.write_table(t, {str(tmp_path / 'e.parquet')!r})\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def _fresh_columns(cls: type[Frame], n: int, seed: int) -> dict[str, np.ndarray]:
    """Writeable copies of a random frame's columns (what a producer hands over)."""
    fr = _random_frame(cls, n, seed)
    return {name: np.array(getattr(fr, name)) for name in cls.columns()}


@pytest.mark.parametrize("cls", FRAME_CLASSES, ids=lambda c: c.__name__)
def test_trusted_constructor_never_changes_the_callers_arrays(cls: type[Frame]) -> None:
    cols = _fresh_columns(cls, 4, seed=11)
    fr = cls.from_trusted_columns(cols)
    assert all(a.flags.writeable for a in cols.values())  # the caller's arrays as they were
    for name in cls.columns():
        assert not getattr(fr, name).flags.writeable  # the frame's views are read-only
        assert np.array_equal(getattr(fr, name), cols[name])
    _assert_equal(fr, cls(**cols))  # same frame as the checked constructor builds


@pytest.mark.parametrize("cls", FRAME_CLASSES, ids=lambda c: c.__name__)
def test_trusted_constructor_checks_names_lengths_and_dtypes(cls: type[Frame]) -> None:
    cols = _fresh_columns(cls, 3, seed=12)
    first, last = cls.columns()[0], cls.columns()[-1]
    with pytest.raises(ValueError, match="columns differ"):
        cls.from_trusted_columns({k: v for k, v in cols.items() if k != last})
    with pytest.raises(ValueError, match="columns differ"):
        cls.from_trusted_columns({**cols, "extra": cols[first]})
    with pytest.raises(ValueError, match=f"{cls.__name__}.{last}: length 2 != 3"):
        cls.from_trusted_columns({**cols, last: cols[last][:2]})
    with pytest.raises(ValueError, match="1-D"):
        cls.from_trusted_columns({**cols, last: cols[last].reshape(3, 1)})
    with pytest.raises(ValueError, match="1-D"):  # all of one shape, but not 1-D
        cls.from_trusted_columns({k: v.reshape(3, 1) for k, v in cols.items()})
    with pytest.raises(ValueError, match="1-D numpy array"):
        cls.from_trusted_columns({**cols, first: list(cols[first])})  # type: ignore[dict-item]
    wrong = cols[first].astype(np.float32 if cols[first].dtype.kind != "f" else np.int64)
    with pytest.raises(ValueError, match=f"{cls.__name__}.{first}: dtype"):
        cls.from_trusted_columns({**cols, first: wrong})


def test_event_kinds_are_validated_by_every_constructor() -> None:
    with pytest.raises(ValueError, match="unknown kinds \\['lunch'\\]"):
        make_events([1.0], "lunch")
    cols = _fresh_columns(Events, 2, seed=13)
    cols["kind"] = np.array(["launch", "kil"])
    with pytest.raises(ValueError, match="kil"):
        Events.from_trusted_columns(cols)
    with pytest.raises(ValueError, match="kil"):
        Events(**cols)
    for kind in ("cue", "fire_control_track", "handover", "abort", "first_detection"):
        assert make_events([0.0], kind).kind[0] == kind


@pytest.mark.parametrize("cls", FRAME_CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize(("start", "stop"), [(0, 0), (0, 37), (5, 12), (30, 99), (37, 40)])
def test_rows_are_read_only_views_of_the_selected_rows(
    cls: type[Frame], start: int, stop: int
) -> None:
    fr = _random_frame(cls, 37, seed=4)
    part = fr.rows(start, stop)
    _assert_equal(part, fr.select(np.arange(37)[start:stop]))
    for name in fr.columns():
        col = getattr(part, name)
        assert not col.flags.writeable
        assert np.shares_memory(col, getattr(fr, name)) or col.size == 0
