"""The window's features, one controller per module: each owns its view and talks to the runtime
through jobs; the window (``ui/main_window.py``) is the shell they are registered with by name."""
