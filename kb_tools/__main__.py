"""`python -m kb_tools …` runs the `kb` command line."""

import sys

from kb_tools.cli import main

sys.exit(main())
