"""``python -m app``: the same as the ``chainsight`` command."""

from app.cli import main

raise SystemExit(main())
