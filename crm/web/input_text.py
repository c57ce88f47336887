"""Every text a browser sends, cleaned once before any view or form reads it.

NUL and the other C0 control characters are never typed: PostgreSQL refuses NUL in text (the
request failed with a 500) while SQLite stored it.  The query string and the form body are
parsed into CleanMultiDict, so every form, the login before a session exists, and every
query-string filter (the list search `q` …) see the text without them.  Tab, line feed and
carriage return stay: they are a textarea's line breaks, and this layer cannot tell a textarea
from a one-line field (where they are whitespace both databases store without complaint).
JSON bodies are not parameters and are not cleaned here.
"""
from __future__ import annotations

import re

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """`text` without C0 control characters (but \\t \\n \\r) and DEL."""
    return CONTROL.sub("", text)


class CleanMultiDict(ImmutableMultiDict):
    """werkzeug's parameter storage with every str key and value cleaned; uploads (FileStorage)
    pass untouched."""

    def __init__(self, mapping=None):
        if mapping is not None and not isinstance(mapping, dict):
            mapping = [(_clean_any(k), _clean_any(v)) for k, v in mapping]
        super().__init__(mapping)
        if isinstance(mapping, dict) or mapping is None:
            for key, values in list(dict.items(self)):
                dict.__setitem__(self, key, [_clean_any(v) for v in values])


def _clean_any(value):
    return clean(value) if isinstance(value, str) else value


class CleanRequest(Request):
    """request.args, request.form and request.values as CleanMultiDict."""
    parameter_storage_class = CleanMultiDict
