"""Names shared by every layer: physical constants and the threat-class list.

Bottom layer (imports nothing from iadsim): geodesy, sensors, C2 and engagement
all take their Earth radius and threat classes from here, so the figures exist once.

References
----------
* H. Moritz, "Geodetic Reference System 1980", Bulletin Géodésique 54, 1980:
  IUGG mean radius ``R1 = (2a + b) / 3 = 6,371,008.8 m`` of the WGS84/GRS80 ellipsoid.
* 3rd CGPM (1901): standard acceleration of gravity ``g_n = 9.80665 m/s^2``.
"""

from __future__ import annotations

import math

__all__ = ["EARTH_MEAN_RADIUS_M", "G0_MPS2", "THREAT_CLASSES", "TWO_PI"]

#: IUGG mean Earth radius R1 = (2a + b) / 3 of the WGS84 ellipsoid, m.
EARTH_MEAN_RADIUS_M = 6371008.8

#: Standard acceleration of gravity g_n (3rd CGPM, 1901), m/s^2: one "g" of load factor.
G0_MPS2 = 9.80665

#: Threat class names; a class code is its index. C2 classifies threats into these
#: classes and the engagement Pk tables have one row per class, in this order.
THREAT_CLASSES: tuple[str, ...] = ("fighter", "cruise_missile", "drone", "ballistic")

#: 2 pi (a full turn, rad).
TWO_PI = 2.0 * math.pi
