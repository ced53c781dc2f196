"""``python -m dancenet``: the command line (see :mod:`dancenet.cli`)."""

import sys

from .cli import main

sys.exit(main())
