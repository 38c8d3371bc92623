"""`python -m graphdsl` is the `graphdsl` command."""

import sys

from .cli import main

sys.exit(main())
