"""``python -m bot`` is the same as the ``kring`` command."""

from bot.cli import main

raise SystemExit(main())
