"""Opaque page cursors: the next offset, bound to the query that produced it.

A cursor is base64url JSON ``{"o": offset, "q": fingerprint}``; the fingerprint is a short hash
of the filters, so a cursor replayed with different filters is rejected instead of silently
paging through another result set. Clients must treat cursors as opaque.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any


class BadCursor(ValueError):
    pass


def fingerprint(filters: dict[str, Any]) -> str:
    text = json.dumps(filters, sort_keys=True, ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def encode_cursor(offset: int, filters: dict[str, Any]) -> str:
    raw = json.dumps({"o": offset, "q": fingerprint(filters)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, filters: dict[str, Any]) -> int:
    """The offset a cursor points at; raises ``BadCursor`` if it is malformed or belongs to
    other filters."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        offset, stamp = data["o"], data["q"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        raise BadCursor("not a cursor this API issued") from None
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise BadCursor("not a cursor this API issued")
    if stamp != fingerprint(filters):
        raise BadCursor("the cursor belongs to a query with other filters (q, kind, as_of)")
    return offset
