"""Test setup: import OUR proton package from python/ (never an installed one).

The library under test is whatever ``proton`` loads: $PROTON_LIB when set (run-tests.sh sets it
to $PROTON_BUILD_LIB/libqpid-proton.so.11 unless the caller chose one, e.g. Debian's).
"""

import os
import sys

import pytest

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(PYTHON_DIR)
sys.path.insert(0, PYTHON_DIR)
sys.path.insert(0, os.path.join(PYTHON_DIR, "tests", "peer"))

import proton  # noqa: E402
from proton import _cproton  # noqa: E402

if not os.path.abspath(proton.__file__).startswith(PYTHON_DIR + os.sep):
    raise RuntimeError("tests imported %s, not python/proton" % proton.__file__)

SYSTEM_LIB = "/usr/lib/x86_64-linux-gnu/libqpid-proton.so.11"


def loaded_library_files():
    """Real paths of every libqpid-proton.so* mapped into this process."""
    found = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            parts = line.split()
            if len(parts) >= 6 and "libqpid-proton" in parts[5]:
                found.add(os.path.realpath(parts[5]))
    return found


def is_system_library():
    return os.path.realpath(_cproton.LIBRARY_PATH) == os.path.realpath(SYSTEM_LIB)


def pytest_report_header(config):
    return "proton library under test: %s (%s)%s" % (
        _cproton.LIBRARY_PATH, _cproton.LIBRARY_SOURCE,
        " [Debian's proton-c]" if is_system_library() else "")


@pytest.fixture
def data():
    return proton.Data()
