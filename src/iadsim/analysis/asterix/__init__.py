"""ASTERIX in and out: CAT048 monoradar target reports (plots) and CAT062 system
tracks, encoded and decoded with the MIT-licensed ``libasterix`` package (optional
extra ``iadsim[asterix]``).

Modules: :mod:`.codec` (libasterix import, data-block framing, quantisation),
:mod:`.cat048` (plots), :mod:`.cat062` (tracks), :mod:`.sites` (the radar-sites
YAML that places CAT048 plots in a local ENU frame), :mod:`.export` (a run
directory to files). The field mapping, units and LSBs are tabulated in
``docs/files.md`` (section ASTERIX).
"""
