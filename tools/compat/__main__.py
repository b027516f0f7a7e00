"""``python -m tools.compat`` (``make compat``)."""

from tools.compat.cli import main

raise SystemExit(main())
