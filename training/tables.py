"""training tables."""
