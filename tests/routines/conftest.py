"""Routines page tests run on a fixed clock: 10:00 on 10 November 2026 in 绥芬河 (02:00 UTC)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tests import factories

NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def agri(app):
    """A department other than the officer's 工信科局."""
    return factories.department("农业农村局")
