"""The one error the runtime raises for the user when it cannot start its engines."""

from desktop_app.core.errors import KnownError


class SetupError(KnownError, RuntimeError):
    """The app cannot start its engines; the message is for the user, in plain words."""
