#!/usr/bin/env python3
"""Write the app's compiled dataclass methods beside its bytecode (desktop_app/dataclass_cache.py).

Run by ``make bytecode``; a start without the file compiles them as Python always does.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this tree's modules, whatever checkout the environment installed

from desktop_app import dataclass_cache  # noqa: E402

if __name__ == "__main__":
    if not Path(dataclass_cache.__file__).resolve().is_relative_to(ROOT):
        sys.exit(f"write-dataclass-cache: desktop_app came from {dataclass_cache.__file__}, not {ROOT}")
    path = sys.argv[1] if len(sys.argv) > 1 else dataclass_cache.CACHE_FILE
    print(f"{dataclass_cache.write(path)} dataclass methods written to {path}")
