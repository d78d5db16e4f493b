"""``python -m claimwatch.tools.replay``: the same as ``claimwatch replay``."""

from claimwatch.tools.replay.cli import main

raise SystemExit(main())
