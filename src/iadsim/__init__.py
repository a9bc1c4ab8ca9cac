"""iadsim: analysis-grade simulation of ground-based air defense.

Pipeline: scenario (YAML) -> truth motion -> radar detections -> tracker ->
command & control -> engagement outcomes -> event log -> metrics and campaigns.
See ``DESIGN`` in the repository docs and the README for a tour.
"""

__version__ = "0.1.0"
