"""Limits that settings and the API client need without loading the message model (and its address
parser) on the way to the window's first paint."""

DEFAULT_ATTACHMENT_LIMIT_BYTES = 10 * 1024 * 1024
"""Encoded size budget: the stricter of Paubox's two published figures (10 MB and 50 MB)."""
