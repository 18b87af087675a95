"""Sealpost: secure email for healthcare staff, sent through the Paubox Email API."""

__version__ = "0.1.0"
APP_NAME = "Sealpost"

from desktop_app import dataclass_cache as _dataclass_cache  # noqa: E402  # before any module makes a dataclass

_dataclass_cache.install()
