"""``python -m tools.drift`` (``make drift``)."""

from tools.drift.cli import main

raise SystemExit(main())
