"""``python -m claimwatch.report --out DIR``: the same as ``claimwatch report``."""

import sys

from claimwatch.report import main

sys.exit(main())
