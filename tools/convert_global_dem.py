"""Convert pvlib's global 5-arcmin altitude grid into iadsim's packaged ``.npz``.

Usage (once, with pvlib and h5py installed)::

    python tools/convert_global_dem.py [OUT]

reads ``pvlib/data/Altitude.h5`` (dataset ``Altitude``, 2160 x 4320 uint8,
``metres = code * 28 - 450``, 255 = no data) and writes the codes unchanged,
compressed, to ``OUT`` (default ``src/iadsim/sensors/data/global_5arcmin.npz``)
with the pvlib version and the SHA-256 of the source file. Provenance and
license: ``src/iadsim/sensors/data/README.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
from pathlib import Path

import numpy as np

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src/iadsim/sensors/data/global_5arcmin.npz"


def convert(out: Path) -> None:
    """Read pvlib's Altitude.h5 and write the codes to ``out`` (np.savez_compressed)."""
    import h5py
    import pvlib

    src = Path(pvlib.__file__).parent / "data" / "Altitude.h5"
    with h5py.File(src, "r") as f:
        codes = np.asarray(f["Altitude"][...])
    if codes.shape != (2160, 4320) or codes.dtype != np.uint8:
        raise SystemExit(f"{src}: unexpected grid {codes.shape} {codes.dtype}")
    np.savez_compressed(
        out,
        altitude_code=codes,
        source=np.array(f"pvlib {importlib.metadata.version('pvlib')} data/Altitude.h5"),
        source_sha256=np.array(hashlib.sha256(src.read_bytes()).hexdigest()),
    )
    print(f"{out}: {out.stat().st_size:,} bytes from {src} ({src.stat().st_size:,} bytes)")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT)
    convert(parser.parse_args().out)


if __name__ == "__main__":
    main()
