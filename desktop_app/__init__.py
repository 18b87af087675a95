"""Sealpost: secure email for healthcare staff, sent through the Paubox Email API."""

__version__ = "0.1.0"
APP_NAME = "Sealpost"
