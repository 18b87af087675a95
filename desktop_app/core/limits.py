"""Limits that settings and the API client need without loading the message model (and its address
parser) on the way to the window's first paint."""

import math

DEFAULT_ATTACHMENT_LIMIT_BYTES = 10 * 1024 * 1024
"""Encoded size budget: the stricter of Paubox's two published figures (10 MB and 50 MB)."""

MIB = 1024 * 1024


def over_limit_megabytes(size: int, limit: int) -> tuple[float, float]:
    """``size`` and ``limit`` in MB (MiB) to one decimal for a refusal: the size rounded up, the limit down,
    so a size over the limit never reads as the limit itself ("10.0 MB, over the 10.0 MB limit")."""
    return math.ceil(size * 10 / MIB) / 10, math.floor(limit * 10 / MIB) / 10
