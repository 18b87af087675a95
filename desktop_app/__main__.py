"""``python -m desktop_app`` runs the same entry point as the ``sealpost`` command."""

from desktop_app.cli import run

run()
