"""Helpers shared by the Messenger tests: free ports, pumping messengers, waiting with a guard."""

import os
import socket
import time

import pytest

from conftest import PYTHON_DIR

EXAMPLES = os.path.join(PYTHON_DIR, "examples")

#: Hang guard for every wait (seconds). Only ever reached when something is broken.
GUARD = 30.0


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def wait_until(predicate, what, step=None, guard=GUARD):
    """Call ``step`` (if any) until ``predicate()`` holds; fail after ``guard`` seconds."""
    deadline = time.monotonic() + guard
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("gave up waiting for %s after %ss" % (what, guard))
        if step is not None:
            step()
        else:
            time.sleep(0.01)


def pump(messengers, predicate, what, guard=GUARD):
    """Run non-blocking work(0) on every messenger until ``predicate()`` holds."""
    def step():
        for m in messengers:
            m.work(0)
    wait_until(predicate, what, step, guard)


def pump_for(messengers, seconds):
    """Run work on every messenger for about ``seconds`` (lets in-flight frames settle)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for m in messengers:
            m.work(0)
