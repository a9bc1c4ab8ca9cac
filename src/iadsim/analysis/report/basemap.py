"""Coastlines and land borders for the map replay (Natural Earth 1:50m, public domain).

The package ships ``data/ne_50m_lines.npz``: every arc of Natural Earth's
1:50m admin-0 countries, split into coastlines (an arc bounding one country)
and land borders (an arc shared by two), quantized to about 0.004 deg x
0.002 deg and delta-coded as in TopoJSON (int32 arrays ``{coast,border}_xy``
(n, 2) with the arc lengths in ``{coast,border}_len``, and ``scale``/``translate``).
It is converted with
:func:`build_basemap` from ``countries-50m.json`` of the npm package
``world-atlas`` 2.0.2 (Natural Earth 4.1.0 as TopoJSON)::

    npm pack world-atlas@2 && tar xzf world-atlas-2.0.2.tgz
    python -m iadsim.analysis.report.basemap package/countries-50m.json

Made with Natural Earth: free vector and raster map data @ naturalearthdata.com
(public domain). Nothing is downloaded at run time.

References
----------
M. Bostock, TopoJSON format specification 1.0 (arcs, quantization, delta coding).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections import Counter
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]

DATA_FILE = "ne_50m_lines.npz"
ATTRIBUTION = "Coastlines and borders: Natural Earth 1:50m (public domain), via world-atlas 2.0.2"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Basemap:
    """Polylines in degrees: each an ``(n, 2)`` array of ``(lon_deg, lat_deg)``."""

    coast: tuple[F64, ...]
    border: tuple[F64, ...]
    attribution: str = ATTRIBUTION


def _arc_refs(geometry: dict[str, Any]) -> Iterator[int]:
    """Arc indices of one TopoJSON Polygon/MultiPolygon (negative: reversed, ~i)."""
    arcs = geometry.get("arcs", [])
    rings = arcs if geometry["type"] == "Polygon" else [r for poly in arcs for r in poly]
    for ring in rings:
        for ref in ring:
            yield ref if ref >= 0 else ~ref


def build_basemap(topojson_path: str | Path) -> dict[str, Any]:
    """Coastline and border arcs of a world-atlas ``countries-*.json`` (quantized, delta-coded).

    An arc referenced by one country geometry is coastline, by two a land border.
    """
    topo = json.loads(Path(topojson_path).read_text(encoding="utf-8"))
    uses = Counter(i for g in topo["objects"]["countries"]["geometries"] for i in _arc_refs(g))
    coast = [topo["arcs"][i] for i, n in sorted(uses.items()) if n == 1]
    border = [topo["arcs"][i] for i, n in sorted(uses.items()) if n >= 2]
    return {
        "source": "Natural Earth 4.1.0 admin-0 countries 1:50m (public domain), "
        "via the npm package world-atlas 2.0.2 (countries-50m.json)",
        "transform": topo["transform"],
        "coast": coast,
        "border": border,
    }


def _decode(
    xy: NDArray[np.int32], lengths: NDArray[np.int64], scale: F64, shift: F64
) -> tuple[F64, ...]:
    """Delta-coded quantized arcs -> lon/lat polylines (TopoJSON 1.0, section 2.1.4)."""
    parts = np.split(xy.astype(np.float64), np.cumsum(lengths)[:-1])
    return tuple(np.cumsum(p, axis=0) * scale + shift for p in parts if p.shape[0])


@cache
def load_basemap() -> Basemap:
    """The shipped Natural Earth lines (decoded once per process)."""
    ref = resources.files("iadsim.analysis.report").joinpath("data", DATA_FILE)
    with ref.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
        scale, shift = data["scale"], data["translate"]
        return Basemap(
            coast=_decode(data["coast_xy"], data["coast_len"], scale, shift),
            border=_decode(data["border_xy"], data["border_len"], scale, shift),
        )


def clip_lines(
    lines: tuple[F64, ...], lon_deg: tuple[float, float], lat_deg: tuple[float, float]
) -> list[F64]:
    """Polylines of ``lines`` inside a lon/lat box, split where they leave it.

    A vertex is kept when inside the box; runs of kept vertices of 2 or more
    become separate polylines (the segment crossing the edge is dropped, a gap of
    at most one 1:50m vertex spacing at the map's edge).
    """
    out: list[F64] = []
    for line in lines:
        inside = (
            (line[:, 0] >= lon_deg[0])
            & (line[:, 0] <= lon_deg[1])
            & (line[:, 1] >= lat_deg[0])
            & (line[:, 1] <= lat_deg[1])
        )
        if not inside.any():
            continue
        edges = np.flatnonzero(np.diff(np.r_[0, inside.astype(np.int8), 0]))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            if stop - start >= 2:
                out.append(line[start:stop])
    return out


def main(argv: list[str] | None = None) -> None:
    """Convert a world-atlas TopoJSON into the shipped data file (developer tool)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m iadsim.analysis.report.basemap countries-50m.json")
    data = build_basemap(args[0])
    target = Path(__file__).parent / "data" / DATA_FILE
    arrays: dict[str, Any] = {
        "scale": np.asarray(data["transform"]["scale"]),
        "translate": np.asarray(data["transform"]["translate"]),
    }
    for key in ("coast", "border"):
        arrays[f"{key}_xy"] = np.concatenate([np.asarray(a, dtype=np.int32) for a in data[key]])
        arrays[f"{key}_len"] = np.array([len(a) for a in data[key]], dtype=np.int64)
    np.savez_compressed(target, allow_pickle=False, **arrays)
    print(f"{target}: {len(data['coast'])} coast arcs, {len(data['border'])} border arcs")


if __name__ == "__main__":
    main()
