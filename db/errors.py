"""Domain exceptions raised by the data layer.

ChartshareError            root of every error the data layer raises on purpose
├── NotFound               a row the caller named does not exist (or is not theirs)
├── Conflict               a write would break a uniqueness or state rule
├── DatabaseUnavailable    the database could not be reached or no connection was free in time
├── ReadOnlyUnit           a reading unit of work tried to write (a programming error)
└── OutOfTime              a request's time budget was spent before this read
"""


class ChartshareError(Exception):
    """Root of the data layer's own exceptions."""


class NotFound(ChartshareError):
    """Raised when a named row does not exist or belongs to someone else."""


class Conflict(ChartshareError):
    """Raised when a write would break a uniqueness or state rule."""


class DatabaseUnavailable(ChartshareError):
    """Raised when the database cannot be reached or the pool wait ran out."""


class ReadOnlyUnit(ChartshareError):
    """Raised when code inside a reading unit of work sends a write statement."""


class OutOfTime(ChartshareError):
    """Raised by SerialSession.run once the request's time budget is spent."""
