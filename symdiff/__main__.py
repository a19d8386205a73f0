"""``python -m symdiff`` is the ``symdiff`` command."""

import sys

from .cli import main

sys.exit(main())
