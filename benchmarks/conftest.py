"""Fixtures of the Home Assistant benchmark: those of ``tests/conftest.py``.

``pytest_plugins`` is refused in a conftest below the root directory, and a
star import skips the underscore fixture that gives each test its own
configuration directory, so the fixtures are imported by name.
"""

from __future__ import annotations

import logging
from pathlib import Path
import sys

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.conftest import (  # noqa: E402, F401
    TEST_DOORS,
    _private_config_dir,
    auto_enable_custom_integrations,
    config_entry,
    make_entry,
    setup_entry,
)

# pytest-homeassistant-custom-component sets sqlalchemy.engine to INFO when it
# loads, so every SQL statement is logged; Home Assistant itself does not.
# Measured with it on, the integration's database calls look slower than
# they are.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)

# The harness also calls logging.basicConfig(level=INFO): under ``-s`` its
# stderr handler would interleave Home Assistant's INFO lines with the
# figures. Levels stay as they are (records still reach pytest's capture).
for _handler in list(logging.getLogger().handlers):
    if type(_handler) is logging.StreamHandler:
        logging.getLogger().removeHandler(_handler)
