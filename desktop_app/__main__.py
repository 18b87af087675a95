"""``python -m desktop_app`` runs the same entry point as the ``sealpost`` command.

``--embedded-sandbox`` as the first argument runs the app's sandbox child instead
(``sandbox/embedded.py``): a frozen bundle's only way to start a second interpreter of itself.
"""

import sys

if sys.argv[1:2] == ["--embedded-sandbox"]:
    from desktop_app.sandbox.__main__ import main

    sys.exit(main(sys.argv[2:]))

from desktop_app.cli import run

run()
