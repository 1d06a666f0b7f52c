"""pprnet-search from a checkout: ``python run.py [COMMAND] ...`` (the same as the ``pprnet-search``
command that ``pip install`` puts on the PATH; see ``cli.py`` and README.md)."""
import sys

from cli import main

if __name__ == "__main__":
    sys.exit(main())
