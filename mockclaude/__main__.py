"""``python -m mockclaude`` runs the command line."""

import sys

from mockclaude.cli import main

sys.exit(main())
