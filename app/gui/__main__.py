"""``python -m app.gui``: the desktop app."""

from app.gui import main

raise SystemExit(main())
