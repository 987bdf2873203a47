"""Relay's paging arguments become one window bounded by the request's page size limit."""

import pytest

from schema.context import Limits
from schema.errors import BadUserInput
from schema.types.relay import DEFAULT_PAGE_SIZE, PageWindow, page_window

LIMITS = Limits(max_page_size=30)


def test_forward_and_backward_windows() -> None:
    forward = page_window(LIMITS, first=5, after="c1", last=None, before=None)
    backward = page_window(LIMITS, first=None, after=None, last=7, before="c2")
    assert forward == PageWindow(backward=False, size=5, cursor="c1")
    assert backward == PageWindow(backward=True, size=7, cursor="c2")


def test_default_size_is_capped_by_the_limit() -> None:
    assert page_window(LIMITS, first=None, after=None, last=None, before=None).size == 20
    small = Limits(max_page_size=DEFAULT_PAGE_SIZE - 5)
    assert page_window(small, first=None, after=None, last=None, before=None).size == 15


@pytest.mark.parametrize(("first", "last"), [(31, None), (0, None), (None, 31)])
def test_sizes_outside_the_limit_are_refused(first: int | None, last: int | None) -> None:
    with pytest.raises(BadUserInput, match="between 1 and 30"):
        page_window(LIMITS, first=first, after=None, last=last, before=None)


def test_mixing_directions_is_refused() -> None:
    with pytest.raises(BadUserInput, match="not both"):
        page_window(LIMITS, first=2, after=None, last=None, before="c")
