"""``python -m rtc_nlp.cli``: the ``rtc-nlp`` command."""

import sys

from .commands import main

sys.exit(main())
