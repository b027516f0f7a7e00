"""Layer 3: decide the reply (stubs, matchers, scenarios, generators)."""
