"""The one error type for a change the rules refuse, shaped for forms, pages and an API alike.

A service raises RuleError (or a feature's subclass, so a caller can catch just that feature);
crm/web/__init__.py adapts it once: `attach(form, error)` puts each message under its field, and an
uncaught RuleError becomes a 400 page with the message, never a 500.
"""
from __future__ import annotations


class RuleError(ValueError):
    """A refusal: `errors` maps a form field (None: the input as a whole) to its message, `code` names
    the refusal for logs and an API, and `records` names existing records the input collides with
    (e.g. the enterprise that already has this credit code), so a page can link to them."""

    def __init__(self, message: str | None = None, *, field: str | None = None, code: str = "refused",
                 errors: dict | None = None, records: dict | None = None):
        self.errors = dict(errors) if errors else {field: message}
        self.field, self.message = next(iter(self.errors.items()))
        self.code = code
        self.records = records or {}
        several = "; ".join(str(m) if f is None else f"{f}: {m}" for f, m in self.errors.items())
        super().__init__(self.message if len(self.errors) == 1 else several)
