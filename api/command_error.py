"""The one error a `chartshare` command raises to stop with a one-line message."""


class CommandError(Exception):
    """A command cannot go on; the message is shown as one line."""
