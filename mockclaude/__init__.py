"""mockclaude: an offline, deterministic stand-in for Claude's Messages API."""

__version__ = "0.1.0"
