"""Messenger.interrupt() from a second thread wakes a messenger blocked in recv, work, send,
stop and Subscription.address (API.md 3.2).

Every blocking call has the hang guard as its timeout: a lost interrupt shows as Timeout (or,
for work(None), as a traceback dump that ends the run), never as a hang. run-tests.sh runs
this file on our library and again on Debian's proton-c 0.37.
"""

import faulthandler
import socket
import threading
import time

import pytest

from proton import Interrupt, Message, Messenger
from messenger_util import GUARD, free_port


def interrupted(m, call, *args):
    """Run m.<call>(*args) while another thread interrupts m after 0.1 s; the exception."""
    t = threading.Timer(0.1, m.interrupt)
    start = time.monotonic()
    t.start()
    try:
        with pytest.raises(Interrupt) as e:
            getattr(m, call)(*args)
    finally:
        t.join()
    assert time.monotonic() - start >= 0.09  # it did block until the interrupt
    return e.value


@pytest.fixture
def silent_peer():
    """A TCP listener that accepts (through its backlog) and never says a word."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(4)
    yield "amqp://127.0.0.1:%d" % s.getsockname()[1]
    s.close()


def listening():
    m = Messenger()
    m.subscribe("amqp://~127.0.0.1:%d" % free_port())
    m.timeout = GUARD
    return m


def test_interrupt_wakes_recv():
    m = listening()
    e = interrupted(m, "recv", 1)
    assert str(e) == "[-8]: None"
    assert m.work(0) is False  # used up


def test_interrupt_wakes_work():
    m = listening()
    interrupted(m, "work", GUARD)
    faulthandler.dump_traceback_later(GUARD * 2, exit=True)
    try:
        interrupted(m, "work", None)  # no timeout at all
    finally:
        faulthandler.cancel_dump_traceback_later()


def test_interrupt_wakes_send(silent_peer):
    m = Messenger()
    m.timeout = GUARD
    m.put(Message(address=silent_peer + "/q", body="never"))
    interrupted(m, "send")
    assert m.outgoing == 1 and not m.stopped
    m.blocking = False
    m.stop()


def test_interrupt_wakes_stop(silent_peer):
    m = Messenger()
    m.timeout = GUARD
    m.put(Message(address=silent_peer + "/q", body="never"))
    m.blocking = False
    m.send()
    m.blocking = True
    interrupted(m, "stop")
    assert not m.stopped


def test_interrupt_wakes_subscription_address(silent_peer):
    m = Messenger()
    m.timeout = GUARD
    sub = m.subscribe(silent_peer + "/in")
    t = threading.Timer(0.1, m.interrupt)
    t.start()
    try:
        assert sub.address is None  # woken: no address
    finally:
        t.join()
    m.blocking = False
    m.stop()


def test_interrupts_before_a_call_count_once():
    m = listening()
    for _ in range(3):
        m.interrupt()
    with pytest.raises(Interrupt):
        m.recv(1)
    assert m.work(0.05) is False


def test_interrupt_from_many_threads_while_blocked():
    m = listening()
    threads = [threading.Timer(0.1, m.interrupt) for _ in range(8)]
    for t in threads:
        t.start()
    try:
        with pytest.raises(Interrupt):
            m.work(GUARD)
    finally:
        for t in threads:
            t.join()
    # The interrupts that came while (or after) it woke make at most one more Interrupt.
    try:
        m.work(0.05)
    except Interrupt:
        pass
    assert m.work(0.05) is False
