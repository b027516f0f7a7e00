"""Layer 5: the only aiohttp user. Parses bytes, calls the pipeline, writes bytes (DESIGN.md rule 1)."""
