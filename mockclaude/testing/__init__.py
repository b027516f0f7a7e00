"""Layer 7: the pytest plugin."""
