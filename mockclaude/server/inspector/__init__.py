"""The live inspector: ``GET /_mock/ui``, a page served by the mock itself that shows the journal as it grows.

No build step and no third-party script: ``static/`` holds one HTML page, its stylesheet and its script, inlined
into one response. The page reads ``GET /_mock/events`` (server-sent events: journal summaries as requests are
recorded, and the state of stubs, scenarios, cache, rate limits, usage and clock) and steers the mock through
the existing admin routes (reset, clock, journal, strict, chaos). Every route here is an admin route, under the
same access rule; the page alone also takes the admin token as ``?token=`` and sends it on as a header.

* :mod:`.views` -- summaries, details and conversation threads of journal entries (pure);
* :mod:`.events` -- the event stream, fed by a bounded listener per connection;
* :mod:`.routes` -- the routes.
"""

from __future__ import annotations

# Importing the route module registers its admin routes (before server/app.py mounts them).
from mockclaude.server.inspector import routes
from mockclaude.server.inspector.events import install

__all__ = ["install", "routes"]
