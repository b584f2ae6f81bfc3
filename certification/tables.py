"""certification tables."""
