"""Layer 1: raw JSON and headers → a normalised :class:`ValidatedRequest`, or a typed API error.

``validate_request`` is the entry point; the header helpers are exported for routes that check only
credentials or the version (``/v1/models``).
"""

from mockclaude.validate.headers import authenticate, check_version, parse_betas
from mockclaude.validate.request import validate_request

__all__ = ["authenticate", "check_version", "parse_betas", "validate_request"]
