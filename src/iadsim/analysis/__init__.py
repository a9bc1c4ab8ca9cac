"""iadsim.analysis."""
