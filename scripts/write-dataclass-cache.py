#!/usr/bin/env python3
"""Write the app's compiled dataclass methods beside its bytecode (desktop_app/dataclass_cache.py).

Run by ``make bytecode``; a start without the file compiles them as Python always does.
"""

import sys

from desktop_app import dataclass_cache

if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else dataclass_cache.CACHE_FILE
    print(f"{dataclass_cache.write(path)} dataclass methods written to {path}")
