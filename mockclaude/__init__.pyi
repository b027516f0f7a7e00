# Type information for the lazily resolved public API of mockclaude/__init__.py (keep the two lists in step:
# tests/test_facade.py checks they match).
from mockclaude.clock import Clock as Clock
from mockclaude.clock import ManualClock as ManualClock
from mockclaude.clock import SystemClock as SystemClock
from mockclaude.engine.issues import ScriptError as ScriptError
from mockclaude.engine.journal import Journal as Journal
from mockclaude.engine.journal import JournalEntry as JournalEntry
from mockclaude.mock import CheckError as CheckError
from mockclaude.mock import Expectation as Expectation
from mockclaude.mock import MatchArgs as MatchArgs
from mockclaude.mock import MockClaude as MockClaude
from mockclaude.mock import MockOptions as MockOptions
from mockclaude.mock import ReplyArgs as ReplyArgs
from mockclaude.model.errors import ApiError as ApiError
from mockclaude.model.errors import AuthenticationError as AuthenticationError
from mockclaude.model.errors import InternalServerError as InternalServerError
from mockclaude.model.errors import InvalidRequestError as InvalidRequestError
from mockclaude.model.errors import OverloadedError as OverloadedError
from mockclaude.model.errors import RateLimitError as RateLimitError
from mockclaude.pipeline import Settings as Settings
from mockclaude.server.app import create_app as create_app
from mockclaude.server.runner import ServerThread as ServerThread

__version__: str
__all__: list[str]
