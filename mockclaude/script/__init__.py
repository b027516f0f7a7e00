"""Layer 5: fixture-file loading (the only YAML user)."""
