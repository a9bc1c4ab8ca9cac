"""iadsim.c2."""
