"""Single byte ranges (RFC 9110 section 14): parse ``Range`` and judge ``If-Range``."""

from __future__ import annotations

import re
from typing import Final

# A header longer than this is not a single sane range; it is ignored.
_MAX_HEADER = 200
_SINGLE_RANGE = re.compile(r"bytes\s*=\s*([0-9]*)\s*-\s*([0-9]*)\s*", re.ASCII | re.I)


class Unsatisfiable:
    """The marker for a range that no byte of the file falls in: answer ``416``."""


UNSATISFIABLE: Final = Unsatisfiable()


def parse_range(header: str | None, size: int) -> tuple[int, int] | Unsatisfiable | None:
    """``(start, length)`` for one satisfiable range, ``UNSATISFIABLE``, or ``None``.

    ``None`` means "send the whole file": no header, a malformed one, another
    unit, or several ranges (which a server may answer with the full ``200``).
    """
    if not header or len(header) > _MAX_HEADER:
        return None
    match = _SINGLE_RANGE.fullmatch(header)
    if match is None:
        return None
    first, last = match.groups()
    if not first:
        if not last:
            return None
        suffix = int(last)
        if suffix == 0 or size == 0:
            return UNSATISFIABLE
        return max(size - suffix, 0), min(suffix, size)
    start = int(first)
    if last and int(last) < start:
        return None  # invalid, so ignored (section 14.1.1)
    if start >= size:
        return UNSATISFIABLE
    end = min(int(last), size - 1) if last else size - 1
    return start, end - start + 1


def if_range_allows(if_range: str | None, etag: str | None, last_modified: str) -> bool:
    """May the range be sent? Only if ``If-Range`` is absent or names this exact version."""
    if if_range is None:
        return True
    if_range = if_range.strip()
    if if_range.startswith(('"', "W/")):
        # Weak tags never match (section 13.1.5); strong ones must be identical.
        return etag is not None and if_range == etag
    return if_range == last_modified
