"""The 0.21 Messenger API (API.md 3 and 4.3) over the loaded library, with real connections.

Two messengers in this process talk over 127.0.0.1: pumped with non-blocking work(0) in one
thread, or blocking with the server in a second thread; the examples run as separate
processes. run-tests.sh runs this file on our library and again on Debian's proton-c 0.37,
so every assertion here is the original's behaviour.
"""

import faulthandler
import os
import re
import subprocess
import sys
import threading

import pytest

import proton
from proton import (ABORTED, ACCEPTED, AUTOMATIC, MANUAL, MODIFIED, PENDING, REJECTED, RELEASED,
                    SETTLED, STATUSES, Constant, Interrupt, Message, Messenger, MessengerException,
                    ProtonException, Subscription, Timeout)
from conftest import is_system_library
from messenger_util import EXAMPLES, GUARD, free_port, pump, pump_for, wait_until

INCOMING = 1 << 60  # incoming trackers have bit 60 set (API.md 1.1)

MESSENGER_H = """
pn_messenger pn_messenger_name pn_messenger_set_certificate pn_messenger_get_certificate
pn_messenger_set_private_key pn_messenger_get_private_key pn_messenger_set_password
pn_messenger_get_password pn_messenger_set_trusted_certificates
pn_messenger_get_trusted_certificates pn_messenger_set_timeout pn_messenger_get_timeout
pn_messenger_is_blocking pn_messenger_set_blocking pn_messenger_is_passive
pn_messenger_set_passive pn_messenger_free pn_messenger_errno pn_messenger_error
pn_messenger_get_outgoing_window pn_messenger_set_outgoing_window
pn_messenger_get_incoming_window pn_messenger_set_incoming_window pn_messenger_start
pn_messenger_stop pn_messenger_stopped pn_messenger_subscribe pn_messenger_subscribe_ttl
pn_messenger_get_link pn_subscription_get_context pn_subscription_set_context
pn_subscription_address pn_messenger_put pn_messenger_status pn_messenger_delivery
pn_messenger_buffered pn_messenger_settle pn_messenger_outgoing_tracker pn_messenger_work
pn_messenger_interrupt pn_messenger_send pn_messenger_recv pn_messenger_receiving
pn_messenger_get pn_messenger_incoming_tracker pn_messenger_incoming_subscription
pn_messenger_accept pn_messenger_reject pn_messenger_tracker_link pn_messenger_outgoing
pn_messenger_incoming pn_messenger_route pn_messenger_rewrite pn_messenger_selectable
pn_messenger_deadline pn_messenger_set_flags pn_messenger_get_flags
pn_messenger_set_snd_settle_mode pn_messenger_set_rcv_settle_mode pn_messenger_set_tracer
pn_messenger_get_remote_idle_timeout pn_messenger_set_ssl_peer_authentication_mode
""".split()


def errno_of(m):
    return proton.pn_messenger_errno(m._mng)


def error_text(m):
    return proton.pn_error_text(proton.pn_messenger_error(m._mng))


# ---------------------------------------------------------------------------------------------
# Module-level names


def test_messenger_h_is_declared_whole():
    assert len(MESSENGER_H) == 62 and len(set(MESSENGER_H)) == 62
    for name in MESSENGER_H:
        assert callable(getattr(proton, name)), name
        assert name in proton._cproton.DECLARED, name
        assert proton._cproton.raw[name] is not None, "%s not exported" % name


def test_messenger_constants():
    assert [proton.PN_STATUS_UNKNOWN, proton.PN_STATUS_PENDING, proton.PN_STATUS_ACCEPTED,
            proton.PN_STATUS_REJECTED, proton.PN_STATUS_RELEASED, proton.PN_STATUS_MODIFIED,
            proton.PN_STATUS_ABORTED, proton.PN_STATUS_SETTLED] == list(range(8))
    assert proton.PN_CUMULATIVE == 1
    assert proton.PN_FLAGS_CHECK_ROUTES == 1 and proton.PN_FLAGS_ALLOW_INSECURE_MECHS == 2


def test_statuses_are_named_singletons():
    by_name = {"PENDING": PENDING, "ACCEPTED": ACCEPTED, "REJECTED": REJECTED,
               "RELEASED": RELEASED, "MODIFIED": MODIFIED, "ABORTED": ABORTED,
               "SETTLED": SETTLED, "AUTOMATIC": AUTOMATIC, "MANUAL": MANUAL}
    for name, const in by_name.items():
        assert isinstance(const, Constant)
        assert repr(const) == name and const.name == name
        assert getattr(proton, name) is const
        assert name in proton.__all__
    assert len({id(c) for c in by_name.values()}) == len(by_name)
    assert STATUSES == {proton.PN_STATUS_ABORTED: ABORTED, proton.PN_STATUS_ACCEPTED: ACCEPTED,
                        proton.PN_STATUS_REJECTED: REJECTED, proton.PN_STATUS_RELEASED: RELEASED,
                        proton.PN_STATUS_MODIFIED: MODIFIED, proton.PN_STATUS_PENDING: PENDING,
                        proton.PN_STATUS_SETTLED: SETTLED, proton.PN_STATUS_UNKNOWN: None}
    assert "Messenger" in proton.__all__ and proton.Subscription is Subscription


def test_exception_classes():
    for cls in (Timeout, Interrupt, MessengerException):
        assert issubclass(cls, ProtonException)
    assert not issubclass(Timeout, MessengerException)
    assert not issubclass(Interrupt, MessengerException)
    assert proton.EXCEPTIONS == {proton.PN_TIMEOUT: Timeout, proton.PN_INTR: Interrupt}


def test_time_helpers():
    assert proton.secs2millis(1.5) == 1500 and type(proton.secs2millis(1.5)) is int
    assert proton.secs2millis(0.0004) == 0
    assert proton.millis2secs(1500) == 1.5 and type(proton.millis2secs(2)) is float
    assert proton.timeout2millis(None) == proton.PN_MILLIS_MAX == 0xFFFFFFFF
    assert proton.timeout2millis(2) == 2000
    assert proton.millis2timeout(proton.PN_MILLIS_MAX) is None
    assert proton.millis2timeout(250) == 0.25


# ---------------------------------------------------------------------------------------------
# Construction, defaults, properties


def test_defaults():
    m = Messenger("named")
    assert m.name == "named"
    assert m.timeout is None and m.blocking is True and m.passive is False
    assert m.incoming_window == 0 and m.outgoing_window == 0
    assert m.stopped is True and m.receiving == 0 and m.deadline is None
    assert m.incoming == 0 and m.outgoing == 0
    assert m.certificate is None and m.private_key is None
    assert m.password is None and m.trusted_certificates is None
    assert proton.pn_messenger_get_flags(m._mng) == proton.PN_FLAGS_ALLOW_INSECURE_MECHS
    assert proton.pn_messenger_outgoing_tracker(m._mng) == 0
    assert proton.pn_messenger_incoming_tracker(m._mng) == 0
    assert errno_of(m) == 0 and error_text(m) is None
    assert m._selectables == {}


def test_unnamed_messengers_get_upper_case_uuid_names():
    names = {Messenger().name for _ in range(3)}
    assert len(names) == 3
    for name in names:
        assert re.match(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$",
                        name), name


def test_timeout_is_seconds_and_none_is_forever():
    m = Messenger()
    m.timeout = 1.5
    assert m.timeout == 1.5 and proton.pn_messenger_get_timeout(m._mng) == 1500
    m.timeout = 0
    assert m.timeout == 0.0
    m.timeout = -0.5  # any negative waits forever in C; only -1 reads back as None
    assert m.timeout == -0.5
    m.timeout = None
    assert m.timeout is None and proton.pn_messenger_get_timeout(m._mng) == -1


def test_flags_and_windows_round_trip():
    m = Messenger()
    m.blocking = False
    m.passive = True
    m.incoming_window = 10
    m.outgoing_window = -1  # stored unsigned in C (unlimited tracking), read back as set
    assert (m.blocking, m.passive, m.incoming_window, m.outgoing_window) == (False, True, 10, -1)
    m.blocking = True
    m.passive = False
    assert m.blocking is True and m.passive is False


def test_bool_properties_take_only_bool():
    m = Messenger()
    with pytest.raises(TypeError):
        m.blocking = 0  # SWIG's bool typemap refused ints
    with pytest.raises(TypeError):
        m.passive = "yes"
    assert m.blocking is True and m.passive is False


def test_certificate_paths_are_stored_not_checked():
    m = Messenger()
    m.certificate = "/no/such/cert.pem"
    m.private_key = "/no/such/key.pem"
    m.password = "s3cret"
    m.trusted_certificates = "/no/such/ca.pem"
    assert (m.certificate, m.private_key, m.password, m.trusted_certificates) == (
        "/no/such/cert.pem", "/no/such/key.pem", "s3cret", "/no/such/ca.pem")
    m.certificate = None
    assert m.certificate is None


def test_string_arguments():
    m = Messenger()
    with pytest.raises(TypeError):
        Messenger(b"bytes-name")
    with pytest.raises(TypeError):
        m.subscribe(b"amqp://~127.0.0.1:1")
    m.route(b"pattern", "amqp://127.0.0.1:1/$1")  # route/rewrite go through unicode2utf8
    m.rewrite("a", b"b")
    with pytest.raises(TypeError):
        m.route(1, "x")


def test_set_flags_semantics():
    m = Messenger()
    assert proton.pn_messenger_set_flags(m._mng, 5) == 0
    assert proton.pn_messenger_get_flags(m._mng) == 7
    assert proton.pn_messenger_set_flags(m._mng, 4) == proton.PN_ARG_ERR
    assert proton.pn_messenger_get_flags(m._mng) == 7
    assert proton.pn_messenger_set_flags(m._mng, 0) == 0
    assert proton.pn_messenger_get_flags(m._mng) == 0


def test_start_and_stop_of_a_fresh_messenger():
    m = Messenger()
    m.start()
    m.stop()
    assert m.stopped
    assert proton.pn_messenger_get_remote_idle_timeout(m._mng, "amqp://127.0.0.1:1") == 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------
# Return codes, exceptions, errors


def test_recv_without_sources():
    m = Messenger()
    with pytest.raises(MessengerException) as e:
        m.recv()
    assert str(e.value) == "[-5]: no valid sources"
    assert errno_of(m) == proton.PN_STATE_ERR
    m.work(0)  # successful calls do not clear the sticky error
    assert errno_of(m) == proton.PN_STATE_ERR


def test_nonblocking_recv_without_sources_is_quiet():
    m = Messenger()
    m.blocking = False
    assert m.recv() is None
    assert errno_of(m) == 0


def test_get_on_empty_queue_raises_eos():
    m = Messenger()
    with pytest.raises(MessengerException) as e:
        m.get()
    assert str(e.value) == "[-1]: None"  # PN_EOS sets no text: the message shows the stale one


def test_accept_and_reject_need_incoming_trackers():
    m = Messenger()
    for call in (m.accept, m.reject):
        with pytest.raises(MessengerException) as e:
            call()  # no get yet: the last incoming tracker is 0, an outgoing one
        assert str(e.value) == "[-6]: invalid tracker, incoming tracker required"
        with pytest.raises(MessengerException):
            call(3)
    m.accept(INCOMING + 5)  # untracked incoming trackers are fine
    m.reject(INCOMING + 5)
    assert errno_of(m) == proton.PN_ARG_ERR


def test_unknown_trackers():
    m = Messenger()
    assert m.status(0) is None and m.status(INCOMING) is None and m.status(-1) is None
    assert m.buffered(0) is False
    m.settle(55)
    m.settle()
    assert errno_of(m) == 0


def test_work_when_idle_gives_false():
    m = Messenger()
    assert m.work(0) is False
    assert m.work(0.05) is False
    m.subscribe("amqp://~127.0.0.1:%d" % free_port())
    assert m.work(0.05) is False
    assert errno_of(m) == 0


def test_put_with_unresolvable_address():
    m = Messenger("c")
    msg = Message(address="amqp://127.0.0.1:notaport/x", body="b", reply_to="~/r")
    with pytest.raises(MessengerException) as e:
        m.put(msg)
    assert str(e.value).startswith(
        "[-2]: CONNECTION ERROR (127.0.0.1:notaport): getaddrinfo(127.0.0.1, notaport): ")
    assert str(e.value).endswith("\n")
    assert errno_of(m) == proton.PN_ERR
    assert m.outgoing == 1  # the message stays queued
    assert m.status(0) is None
    assert msg.address == "amqp://127.0.0.1:notaport/x" and msg.reply_to == "amqp://c/r"


def test_subscribe_to_a_port_in_use():
    port = free_port()
    first = Messenger()
    first.subscribe("amqp://~127.0.0.1:%d" % port)
    second = Messenger()
    with pytest.raises(MessengerException) as e:
        second.subscribe("amqp://~127.0.0.1:%d" % port)
    assert str(e.value) == \
        "[-2]: CONNECTION ERROR (127.0.0.1:%d): bind: Address already in use\n" % port
    assert not first.stopped and second.stopped


@pytest.mark.parametrize("address", ["", "/q", "amqp://", "amqp:///q"])
def test_empty_host_is_a_connection_error(address):
    m = Messenger()
    with pytest.raises(MessengerException) as e:
        m.put(Message(address=address))
    text = "[-2]: CONNECTION ERROR (:(null)): getaddrinfo(, 5672): Name or service not known\n"
    assert str(e.value) == text
    assert m.outgoing == 1 and m.stopped
    with pytest.raises(MessengerException) as e:
        m.subscribe(address)
    assert str(e.value) == text


def test_bind_error_text():
    m = Messenger()
    with pytest.raises(MessengerException) as e:
        m.subscribe("amqp://~192.0.2.1:5")  # TEST-NET-1: never an address of this host
    assert str(e.value) == \
        "[-2]: CONNECTION ERROR (192.0.2.1:5): bind: Cannot assign requested address\n"


def test_recv_times_out_without_setting_the_error():
    m = Messenger()
    m.subscribe("amqp://~127.0.0.1:%d" % free_port())
    m.timeout = 0.1
    with pytest.raises(Timeout) as e:
        m.recv(3)
    assert str(e.value) == "[-7]: None"
    assert errno_of(m) == 0 and m.receiving == 3


def test_send_times_out_while_the_peer_grants_no_credit():
    port = free_port()
    server = Messenger()
    server.subscribe("amqp://~127.0.0.1:%d" % port)  # never works: no AMQP, no credit
    client = Messenger()
    client.timeout = 0.2
    client.put(Message(address="amqp://127.0.0.1:%d/q" % port, body=1))
    with pytest.raises(Timeout):
        client.send()
    assert client.outgoing == 1
    assert errno_of(client) == 0


def test_interrupt_from_another_thread():
    m = Messenger()
    m.subscribe("amqp://~127.0.0.1:%d" % free_port())
    m.timeout = GUARD  # a Timeout here would mean the interrupt was lost
    t = threading.Timer(0.1, m.interrupt)
    t.start()
    try:
        with pytest.raises(Interrupt) as e:
            m.recv(1)
    finally:
        t.join()
    assert str(e.value) == "[-8]: None"
    assert errno_of(m) == 0
    assert m.work(0) is False  # one interrupt, one exception


def test_work_without_timeout_waits_until_interrupted():
    m = Messenger()
    m.subscribe("amqp://~127.0.0.1:%d" % free_port())
    t = threading.Timer(0.1, m.interrupt)
    # work(None) waits forever: if the interrupt were lost, end the run loudly instead
    faulthandler.dump_traceback_later(GUARD * 2, exit=True)
    t.start()
    try:
        with pytest.raises(Interrupt):
            m.work()
        m.interrupt()
        with pytest.raises(Interrupt):
            m.work(None)
    finally:
        faulthandler.cancel_dump_traceback_later()
        t.join()


def test_interrupt_before_a_blocking_call():
    m = Messenger()
    m.interrupt()
    with pytest.raises(Interrupt):
        m.work(GUARD)
    assert m.work(0) is False


def test_nonblocking_calls_return_none_when_unfinished():
    port = free_port()
    server = Messenger()
    server.subscribe("amqp://~127.0.0.1:%d" % port)
    server.blocking = False
    assert server.recv(7) is None and server.receiving == 7
    assert server.recv(0) is None and server.receiving == 0  # cancels undistributed credit
    client = Messenger()
    client.blocking = False
    client.put(Message(address="amqp://127.0.0.1:%d" % port))
    assert client.send() is None
    assert client.stop() is None


def test_passive_mode_never_does_io():
    port = free_port()
    m = Messenger()
    m.passive = True
    assert m.put(Message(address="amqp://127.0.0.1:%d" % port)) == 0
    assert m.send() is None  # PN_INPROGRESS
    assert m.recv() is None
    assert m.work(0) is True  # 0.21 treats PN_INPROGRESS from work as "did work"
    assert m.outgoing == 1
    assert errno_of(m) == 0
    # back to active mode, the messenger does its I/O: the connection is refused, the message
    # dropped. (Debian's 0.37 crashes when a passive messenger that worked is freed.)
    m.passive = False
    m.timeout = GUARD
    m.send()
    assert m.outgoing == 0 and m.stopped


def test_send_to_a_refused_port_aborts_the_message():
    m = Messenger()
    m.outgoing_window = 5
    m.timeout = GUARD
    t = m.put(Message(address="amqp://127.0.0.1:%d/x" % free_port(), body="lost"))
    m.send()  # nothing left to send once the connection failed: returns, no exception
    assert m.status(t) is ABORTED
    assert m.outgoing == 0 and m.stopped
    assert errno_of(m) == 0


def test_subscription_to_a_refused_port_leaves_no_sources():
    m = Messenger()
    m.timeout = GUARD
    sub = m.subscribe("amqp://127.0.0.1:%d/x" % free_port())
    assert isinstance(sub, Subscription)
    with pytest.raises(MessengerException) as e:
        m.recv()
    assert str(e.value) == "[-5]: no valid sources"


# ---------------------------------------------------------------------------------------------
# Two messengers in this thread, pumped with non-blocking work


class Pair(object):
    """A listening "server" messenger and a "client", both non-blocking."""

    def __init__(self):
        self.port = free_port()
        self.address = "amqp://127.0.0.1:%d" % self.port
        self.server = Messenger("server")
        self.server.blocking = False
        self.subscription = self.server.subscribe("amqp://~127.0.0.1:%d" % self.port)
        self.client = Messenger("client")
        self.client.blocking = False
        self.all = [self.client, self.server]

    def pump(self, predicate, what):
        pump(self.all, predicate, what)

    def settle_in(self, seconds=0.2):
        pump_for(self.all, seconds)

    def receive(self, n, credit=None):
        """Grant credit (default n) and get n messages on the server."""
        self.server.recv(n if credit is None else credit)
        out = []
        while len(out) < n:
            self.pump(lambda: self.server.incoming > 0, "message %d of %d" % (len(out) + 1, n))
            while self.server.incoming and len(out) < n:
                msg = Message()
                out.append((self.server.get(msg), msg))
        return out

    def stop(self):
        for m in self.all:
            m.stop()
        self.pump(lambda: all(m.stopped for m in self.all), "both messengers stopped")


@pytest.fixture
def pair():
    p = Pair()
    yield p
    p.stop()


def test_send_and_receive(pair):
    out = Message(address=pair.address + "/queue", subject="hi", body="hello", reply_to="~",
                  properties={"k": 1}, id=7)
    trackers = [pair.client.put(out) for _ in range(3)]
    assert trackers == [0, 1, 2]
    assert out.reply_to == "amqp://client" and out.address == pair.address + "/queue"
    got = pair.receive(3)
    assert [t for t, _ in got] == [INCOMING, INCOMING + 1, INCOMING + 2]
    for _, msg in got:
        assert (msg.address, msg.subject, msg.body, msg.reply_to, msg.properties, msg.id) == (
            pair.address + "/queue", "hi", "hello", "amqp://client", {"k": 1}, 7)
    assert pair.client.outgoing == 0 and pair.server.incoming == 0
    assert pair.subscription.address == pair.address + "/queue"
    assert proton.pn_messenger_incoming_subscription(pair.server._mng) == pair.subscription._impl


def test_get_without_message_discards(pair):
    pair.client.put(Message(address=pair.address, body="a"))
    pair.client.put(Message(address=pair.address, body="b"))
    pair.server.recv(2)
    pair.pump(lambda: pair.server.incoming == 2, "two messages")
    assert pair.server.get() == INCOMING
    msg = Message()
    assert pair.server.get(msg) == INCOMING + 1 and msg.body == "b"


def test_outgoing_window_tracks_the_last_puts(pair):
    pair.server.incoming_window = 10
    msg = Message(address=pair.address, body="x")
    untracked = [pair.client.put(msg) for _ in range(10)]
    assert all(pair.client.status(t) is None for t in untracked)
    pair.client.outgoing_window = 5
    trackers = [pair.client.put(msg) for _ in range(10)]
    assert [pair.client.status(t) for t in trackers] == [None] * 5 + [PENDING] * 5
    got = pair.receive(20)
    pair.server.accept()
    pair.pump(lambda: pair.client.status(trackers[-1]) is ACCEPTED, "the last outcome")
    assert [pair.client.status(t) for t in trackers] == [None] * 5 + [ACCEPTED] * 5
    assert all(pair.client.status(t) is None for t in untracked)
    assert len(got) == 20


def test_reject_and_accept_statuses(pair):
    pair.server.incoming_window = 10
    pair.client.outgoing_window = 10
    trackers = []
    for i in range(10):
        trackers.append(pair.client.put(Message(address=pair.address,
                                                body="REJECT-ME" if i in (3, 5) else "ok")))
    got = pair.receive(10)
    for t, msg in got:
        if msg.body == "REJECT-ME":
            pair.server.reject(t)
    pair.server.accept()  # cumulative: the two rejected keep their first outcome
    want = [REJECTED if i in (3, 5) else ACCEPTED for i in range(10)]
    pair.pump(lambda: [pair.client.status(t) for t in trackers] == want, "ten outcomes")
    assert pair.client.outgoing == 0


def test_incoming_window_zero_settles_without_outcome(pair):
    pair.client.outgoing_window = 3
    trackers = [pair.client.put(Message(address=pair.address, body=i)) for i in range(3)]
    pair.receive(3)
    pair.pump(lambda: all(pair.client.status(t) is SETTLED for t in trackers), "SETTLED x3")
    assert [pair.client.buffered(t) for t in trackers] == [False] * 3
    pair.client.settle()
    assert [pair.client.status(t) for t in trackers] == [None] * 3


def test_incoming_trackers_follow_the_window(pair):
    pair.server.incoming_window = 2
    pair.client.outgoing_window = 10  # unsettled transfers: no outcome until we give one
    for i in range(4):
        pair.client.put(Message(address=pair.address, body=i))
    got = pair.receive(4)
    trackers = [t for t, _ in got]
    assert [pair.server.status(t) for t in trackers] == [None, None, PENDING, PENDING]
    pair.server.accept(trackers[3])
    pair.server.reject(trackers[2])
    pair.server.settle(trackers[2])
    assert [pair.server.status(t) for t in trackers] == [None, None, None, PENDING]
    pair.pump(lambda: pair.client.status(3) is ACCEPTED and pair.client.status(2) is REJECTED,
              "the outcomes at the sender")


def test_presettled_transfers_read_settled_at_the_receiver(pair):
    pair.server.incoming_window = 2
    for i in range(2):
        pair.client.put(Message(address=pair.address, body=i))
    trackers = [t for t, _ in pair.receive(2)]
    assert [pair.server.status(t) for t in trackers] == [SETTLED, SETTLED]


def test_settle_one_and_cumulative(pair):
    pair.client.outgoing_window = 10
    trackers = [pair.client.put(Message(address=pair.address, body=i)) for i in range(4)]
    pair.client.settle(trackers[1])
    assert [pair.client.status(t) for t in trackers] == [PENDING, None, PENDING, PENDING]
    pair.client.settle()
    assert [pair.client.status(t) for t in trackers] == [None] * 4
    pair.receive(4)


def test_buffered_until_written(pair):
    pair.client.outgoing_window = 10
    t = pair.client.put(Message(address=pair.address, body="x"))
    assert pair.client.buffered(t) is True  # no credit yet
    pair.receive(1)
    pair.pump(lambda: not pair.client.buffered(t), "the message to be written")
    assert pair.client.buffered(t + 1) is False


def test_credit_is_shared_and_rebalanced(pair):
    pair.server.recv(5)
    pair.client.put(Message(address=pair.address + "/one", body=1))
    pair.pump(lambda: pair.server.incoming == 1, "the first link's message")
    assert pair.server.receiving == 4
    # the second link gets no credit until the messenger drains the first one (after 250 ms)
    pair.client.put(Message(address=pair.address + "/two", body=2))
    pair.pump(lambda: pair.server.incoming == 2, "the rebalanced link's message")
    assert pair.server.receiving == 3
    assert pair.server.deadline is None or pair.server.deadline > 1e9


def test_credit_split_across_three_links(pair):
    for i in range(3):
        pair.client.put(Message(address=pair.address + "/%d" % i, body=i))
    pair.pump(lambda: pair.client.outgoing == 3 and pair.client.work(0) is False,
              "three links attached")
    pair.server.recv(50)
    pair.pump(lambda: pair.server.incoming == 3, "one message per link")
    assert pair.server.receiving == 47


def test_automatic_credit(pair):
    pair.server.recv()  # -1: 1024 per receiving link, less what is waiting to be got
    assert pair.server.receiving == 0  # no link yet
    pair.client.put(Message(address=pair.address + "/a", body=1))
    pair.pump(lambda: pair.server.incoming == 1, "the first message")
    pair.settle_in()
    assert pair.server.receiving == 1023
    pair.client.put(Message(address=pair.address + "/b", body=2))
    pair.pump(lambda: pair.server.incoming == 2, "the second link's message")
    pair.settle_in()
    assert pair.server.receiving == 2046
    pair.server.get()
    pair.server.get()
    pair.settle_in()
    assert pair.server.receiving == 2048


def test_credit_replenish_and_rebalance(pair):
    for i in range(3):
        pair.client.put(Message(address=pair.address + "/%d" % i))
    pair.server.recv(50)  # 16 per link, 2 left over
    pair.pump(lambda: pair.server.incoming == 3, "one message per link")
    assert pair.server.receiving == 47
    for _ in range(17):  # 15 + the 2 left over fit on one link
        pair.client.put(Message(address=pair.address + "/0"))
    pair.pump(lambda: pair.server.incoming == 20, "17 more on link 0")
    assert pair.server.receiving == 30
    for _ in range(10):
        for i in range(3):
            pair.client.put(Message(address=pair.address + "/%d" % i))
    pair.pump(lambda: pair.server.incoming == 50, "the rest after rebalancing")
    assert pair.server.receiving == 0
    pair.client.put(Message(address=pair.address + "/1"))  # no credit left for it
    pair.settle_in()
    assert pair.server.incoming == 50 and pair.client.outgoing == 1


def test_credit_of_a_closed_link_is_reclaimed(pair):
    other = Messenger("client2")
    other.blocking = False
    pair.all.append(other)
    pair.server.recv(9)
    pair.client.put(Message(address=pair.address + "/msg1"))
    pair.pump(lambda: pair.server.incoming == 1, "the first link's message")
    assert pair.server.receiving == 8
    pair.client.put(Message(address=pair.address + "/msg2"))
    other.put(Message(address=pair.address + "/msg3"))
    pair.pump(lambda: pair.server.incoming == 3, "every link's message after rebalancing")
    assert pair.server.receiving == 6
    other.stop()
    pair.pump(lambda: other.stopped, "client2 to stop")
    for _ in range(4):
        pair.client.put(Message(address=pair.address + "/msg1"))
        pair.client.put(Message(address=pair.address + "/msg2"))
    pair.pump(lambda: pair.server.incoming == 9, "the reclaimed credit to be used")
    assert pair.server.receiving == 0


def test_recv_before_subscribe_and_reply_by_name(pair):
    pair.client.recv()
    sub = pair.client.subscribe(pair.address + "/foo")  # a receiving link to the server
    pair.pump(lambda: proton.pn_messenger_get_link(pair.server._mng, "amqp://client/foo", True)
              is not None, "the server's end of the link")
    # the server reaches the client through the connection the client opened (container-id)
    pair.server.put(Message(address="amqp://client/foo", body="Hello World!"))
    pair.pump(lambda: pair.client.incoming == 1, "the message on the subscribed link")
    got = Message()
    pair.client.get(got)
    assert (got.address, got.body) == ("amqp://client/foo", "Hello World!")
    assert proton.pn_messenger_incoming_subscription(pair.client._mng) == sub._impl
    assert sub.address == pair.address + "/foo"


def test_engine_handles_behind_trackers_and_addresses(pair):
    link_address = pair.address + "/b"
    t = pair.client.put(Message(address=link_address, body=1))
    link = proton.pn_messenger_get_link(pair.client._mng, link_address, True)
    assert isinstance(link, proton._cproton.PNPointer)
    assert proton.pn_messenger_get_link(pair.client._mng, link_address, False) is None
    assert proton.pn_messenger_tracker_link(pair.client._mng, t) is None  # untracked
    assert proton.pn_messenger_delivery(pair.client._mng, t) is None
    pair.client.outgoing_window = 5
    t = pair.client.put(Message(address=link_address, body=2))
    assert proton.pn_messenger_tracker_link(pair.client._mng, t) == link
    assert proton.pn_messenger_delivery(pair.client._mng, t) is not None
    pair.receive(2)
    assert proton.pn_messenger_get_link(pair.server._mng, "amqp://client/b", False) is not None
    assert proton.pn_messenger_get_remote_idle_timeout(pair.client._mng, pair.address) == 0


def test_subscription_context_and_ttl(pair):
    sub = proton.pn_messenger_subscribe_ttl(pair.client._mng, pair.address + "/ttl", 5)
    assert sub is not None
    assert proton.pn_subscription_get_context(sub) is None
    proton.pn_subscription_set_context(sub, proton._cproton.PNPointer(1234))
    assert proton.pn_subscription_get_context(sub).value == 1234


TRACER_PROBE = r"""
import sys
sys.path.insert(0, sys.argv[1])
import proton
from proton import _cproton, Message, Messenger
lines = []
tracer = _cproton.pn_tracer_t(lambda transport, text: lines.append(text.decode()))
server = Messenger("server")
server.blocking = False
server.subscribe("amqp://~127.0.0.1:" + sys.argv[2])
server.recv(1)
client = Messenger("traced")
client.blocking = False
proton.pn_messenger_set_tracer(client._mng, tracer)
client.put(Message(address="amqp://127.0.0.1:%s/q" % sys.argv[2], body=1))
while not server.incoming:
    client.work(0)
    server.work(0)
print(len(lines))
print("\n".join(lines[:2]))
"""


@pytest.mark.parametrize("env", [{"PN_TRACE_FRM": "1"}, {}])
def test_tracer_sees_frames_only_when_tracing_is_on(env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PN_TRACE")}
    full_env.update(env)  # read once per process by 0.37: set before the library loads
    out = subprocess.run([sys.executable, "-c", TRACER_PROBE, os.path.dirname(EXAMPLES),
                          str(free_port())], env=full_env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, universal_newlines=True, timeout=GUARD)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    if env:
        assert int(lines[0]) >= 6  # header, open, begin, attach out; header, open... in
        assert lines[1:] == ["FRAME:   -> AMQP",
                             'FRAME: 0 -> @open(16) [container-id="traced", '
                             'hostname="127.0.0.1", channel-max=0x7fff]']
    else:
        assert lines == ["0", ""]


def test_set_tracer_refuses_null():
    m = Messenger()
    with pytest.raises(TypeError):
        proton.pn_messenger_set_tracer(m._mng, None)  # the C function asserts


def test_selectable_is_a_selectable_or_none():
    # A new messenger hands out its interrupt pipe once (test_selectable.py has the rest).
    m = Messenger()
    s = m.selectable()
    assert isinstance(s, proton.Selectable) and s.reading and not s.writing
    assert m.selectable() is None


def test_deadline_is_set_while_links_wait_for_credit(pair):
    pair.server.recv(1)
    pair.client.put(Message(address=pair.address + "/a", body=1))
    pair.client.put(Message(address=pair.address + "/b", body=2))
    pair.pump(lambda: pair.server.incoming == 1 and pair.server.deadline is not None,
              "a drain deadline")
    import time
    assert abs(pair.server.deadline - time.time()) < 60  # wall-clock seconds


def test_routes(pair):
    second_port = free_port()
    pair.server.subscribe("amqp://~127.0.0.1:%d" % second_port)
    pair.client.route("route1", pair.address)
    pair.client.route("route2", "amqp://127.0.0.1:%d/two" % second_port)
    pair.client.route("queue/*", pair.address + "/q-$1")
    for address in ("route1", "route2", "queue/x/y"):
        pair.client.put(Message(address=address, body=address))
    got = sorted((m.body, m.address) for _, m in pair.receive(3))
    # the receiver sees the original address (routes choose the peer only)
    assert got == [("queue/x/y", "queue/x/y"), ("route1", "route1"), ("route2", "route2")]
    link = proton.pn_messenger_get_link(pair.client._mng, "queue/x/y", True)
    assert link is not None
    assert proton.pn_messenger_get_link(pair.client._mng, "queue/none", True) is None


DEFAULT_REWRITES = [
    ("original", "original"), ("user@original", "original"), ("user:pass@original", "original"),
    ("original:123", "original:123"), ("user@original:123", "original:123"),
    ("user:pass@original:123", "original:123"), ("original/name", "original/name"),
    ("user@original/name", "original/name"), ("user:pass@original/name", "original/name"),
    ("original:123/name", "original:123/name"), ("user@original:123/name", "original:123/name"),
    ("user:pass@original:123/name", "original:123/name"),
    ("amqp://original", "amqp://original"), ("amqp://user@original", "amqp://original"),
    ("amqp://user:pass@original", "amqp://original"),
    ("amqp://original:123", "amqp://original:123"),
    ("amqp://user@original:123", "amqp://original:123"),
    ("amqp://user:pass@original:123", "amqp://original:123"),
    ("amqp://original/name", "amqp://original/name"),
    ("amqp://user@original/name", "amqp://original/name"),
    ("amqp://user:pass@original/name", "amqp://original/name"),
    ("amqp://original:123/name", "amqp://original:123/name"),
    ("amqp://user@original:123/name", "amqp://original:123/name"),
    ("amqp://user:pass@original:123/name", "amqp://original:123/name"),
]

REWRITE_RULES = [
    ([("*", None)], "asdf", None),
    ([("a", "b")], "a", "b"),
    ([("amqp://%@*", "amqp://$2")], "amqp://foo@bar", "amqp://bar"),
    ([("amqp://%/*", "$2@$1")], "amqp://domain/name", "name@domain"),
    ([("*", "$1")], "amqp://user:pass@host", "amqp://user:pass@host"),
    ([("x*", "first"), ("*", "second")], "xy", "first"),
    ([("*", "$$1-$1-$2")], "abc", "$1-abc-"),
]


def _rewritten(pair, original):
    pair.client.route("*", pair.address)
    msg = Message(address=original, body="x")
    pair.client.put(msg)
    assert msg.address == original  # only the copy on the wire is rewritten
    [(_, got)] = pair.receive(1)
    return got.address


@pytest.mark.parametrize("original,expected", DEFAULT_REWRITES)
def test_default_rewrite_strips_credentials(pair, original, expected):
    assert _rewritten(pair, original) == expected


@pytest.mark.parametrize("rules,original,expected", REWRITE_RULES)
def test_rewrite_rules(pair, rules, original, expected):
    for pattern, address in rules:
        pair.client.rewrite(pattern, address)
    assert _rewritten(pair, original) == expected


@pytest.mark.parametrize("reply_to,expected", [
    ("~", "amqp://client"), ("~/replies", "amqp://client/replies"),
    ("x~", "x~"), ("amqp://elsewhere", "amqp://elsewhere"), (None, None)])
def test_reply_to_expansion(pair, reply_to, expected):
    msg = Message(address=pair.address, reply_to=reply_to)
    pair.client.put(msg)
    assert msg.reply_to == expected  # changed on the caller's message
    [(_, got)] = pair.receive(1)
    assert got.reply_to == expected


def test_reply_goes_back_over_the_inbound_connection(pair):
    pair.client.put(Message(address=pair.address + "/requests", reply_to="~/replies", body="ping"))
    [(_, request)] = pair.receive(1)
    assert request.reply_to == "amqp://client/replies"
    pair.server.put(Message(address=request.reply_to, body="pong"))
    pair.client.recv(1)  # the client only has the connection it opened
    pair.pump(lambda: pair.client.incoming == 1, "the reply")
    reply = Message()
    pair.client.get(reply)
    assert (reply.body, reply.address) == ("pong", "amqp://client/replies")
    assert pair.server.stopped is False


def test_large_message(pair):
    body = bytes(range(256)) * 4096  # 1 MiB
    pair.client.put(Message(address=pair.address, body=body))
    [(_, got)] = pair.receive(1)
    assert got.body == body


def test_many_messages_arrive_once_in_order(pair):
    for i in range(500):
        pair.client.put(Message(address=pair.address, body=i))
    got = pair.receive(500, credit=-1)
    assert [m.body for _, m in got] == list(range(500))


def test_stop_closes_everything(pair):
    pair.client.put(Message(address=pair.address, body=1))
    pair.receive(1)
    assert not pair.client.stopped and not pair.server.stopped
    pair.client.stop()
    pair.server.stop()
    pair.pump(lambda: pair.client.stopped and pair.server.stopped, "stopped")
    # a stopped messenger can be used again
    pair.server.subscribe("amqp://~127.0.0.1:%d" % pair.port)
    pair.client.put(Message(address=pair.address, body=2))
    [(_, got)] = pair.receive(1)
    assert got.body == 2


# ---------------------------------------------------------------------------------------------
# Blocking messengers, the server in a thread


class EchoServer(object):
    """A blocking messenger in a thread: accepts everything and echoes it to reply_to."""

    def __init__(self):
        self.port = free_port()
        self.messenger = Messenger("echo")
        self.messenger.timeout = GUARD
        self.messenger.incoming_window = 100
        self.messenger.subscribe("amqp://~127.0.0.1:%d" % self.port)
        self.received = 0
        self.error = None
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        msg = Message()
        try:
            while self.running:
                try:
                    self.messenger.recv(10)
                except Interrupt:
                    continue
                while self.messenger.incoming:
                    self.messenger.get(msg)
                    self.received += 1
                    if msg.body == "REJECT-ME":
                        self.messenger.reject()
                    else:
                        self.messenger.accept()
                    if msg.reply_to:
                        msg.address = msg.reply_to
                        self.messenger.put(msg)
                        self.messenger.send()
        except Exception as e:  # reported by close()
            self.error = e
        finally:
            self.messenger.stop()

    def close(self):
        self.running = False
        self.messenger.interrupt()
        self.thread.join(GUARD)
        assert not self.thread.is_alive(), "echo server thread did not stop"
        assert self.error is None, repr(self.error)


@pytest.fixture
def echo():
    server = EchoServer()
    yield server
    server.close()


@pytest.mark.parametrize("size", [10, 1024, 100 * 1024, 1024 * 1024])
def test_blocking_round_trip(echo, size):
    client = Messenger("client")
    client.timeout = GUARD
    body = ("First the world, then the galaxy! " * (size // 34 + 1))[:size]
    client.put(Message(address="amqp://127.0.0.1:%d" % echo.port, subject="Hello World!",
                       reply_to="~", body=body))
    client.send()
    client.recv(1)
    assert client.incoming == 1
    reply = Message()
    client.get(reply)
    assert (reply.subject, reply.body) == ("Hello World!", body)
    client.stop()
    assert client.stopped


def test_blocking_send_waits_for_outcomes(echo):
    client = Messenger("client")
    client.timeout = GUARD
    client.outgoing_window = 10
    trackers = [client.put(Message(address="amqp://127.0.0.1:%d" % echo.port,
                                   body="REJECT-ME" if i == 4 else "yay")) for i in range(10)]
    client.send()  # returns once every tracked message has an outcome
    assert [client.status(t) for t in trackers] == [REJECTED if i == 4 else ACCEPTED
                                                     for i in range(10)]
    client.stop()


def test_subscription_address_waits_for_the_link(echo):
    client = Messenger("client")
    client.timeout = GUARD
    sub = client.subscribe("amqp://127.0.0.1:%d/feed" % echo.port)
    assert sub.address == "amqp://127.0.0.1:%d/feed" % echo.port
    client.stop()


# ---------------------------------------------------------------------------------------------
# Across processes: the examples


def _example(name, *args):
    env = dict(os.environ)  # PROTON_LIB stays: the example uses the library under test
    return [sys.executable, os.path.join(EXAMPLES, name)] + list(args), env


def test_recv_example_in_another_process():
    port = free_port()
    cmd, env = _example("recv.py", "-c", "3", "-t", str(GUARD), "amqp://~127.0.0.1:%d" % port)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True)
    try:
        assert proc.stdout.readline().startswith("recv.py: subscribed to")
        sender = Messenger()
        sender.timeout = GUARD
        sender.outgoing_window = 3
        msg = Message(address="amqp://127.0.0.1:%d/examples" % port, subject="s",
                      properties={"n": 1})
        trackers = []
        for body in ("one", "two", "three"):
            msg.body = body
            trackers.append(sender.put(msg))
        sender.send()
        assert [sender.status(t) for t in trackers] == [SETTLED] * 3  # recv.py: window 0
        sender.stop()
        out, err = proc.communicate(timeout=GUARD)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out.splitlines() == ["amqp://127.0.0.1:%d/examples s {'n': 1} %s" % (port, b)
                                for b in ("one", "two", "three")]


def test_send_example_in_another_process():
    port = free_port()
    receiver = Messenger()
    receiver.timeout = GUARD
    receiver.subscribe("amqp://~127.0.0.1:%d" % port)
    cmd, env = _example("send.py", "-a", "amqp://127.0.0.1:%d/q" % port, "-s", "subj",
                        "-t", str(GUARD), "alpha", "beta")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True)
    got = []
    try:
        msg = Message()
        while len(got) < 2:
            receiver.recv()
            while receiver.incoming:
                receiver.get(msg)
                got.append((msg.address, msg.subject, msg.body))
        # send.py ends with stop(), which waits for our side of the close handshake
        wait_until(lambda: proc.poll() is not None, "send.py to exit",
                   lambda: receiver.work(0.05))
        out, err = proc.communicate(timeout=GUARD)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "sent 2 message(s)" in out
    assert got == [("amqp://127.0.0.1:%d/q" % port, "subj", b) for b in ("alpha", "beta")]
    receiver.stop()
