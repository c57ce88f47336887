"""The workbench tests run on a fixed Monday, 2026-12-07 12:00 in Shanghai: the 调度 due day (the
5th) has passed for December, so December's missing reports are overdue."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

TODAY = date(2026, 12, 7)


@pytest.fixture
def on_today():
    with time_machine.travel(datetime(2026, 12, 7, 4, 0, tzinfo=UTC), tick=False):
        yield TODAY
