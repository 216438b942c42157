"""Passive mode: Messengers driven by the application's own select() loop through
Messenger.selectable() and the 0.21 Selectable class (API.md 3.2, 4.3).

run-tests.sh runs this file on our library and again on Debian's proton-c 0.37, so every
assertion here is the original's behaviour. (0.37 crashes freeing a passive messenger that
ran send/recv/work unless its connections were stopped through the loop: every test that
connects stops through the loop.)
"""

import os
import select
import socket
import stat
import subprocess
import time

import pytest

import proton
from proton import ACCEPTED, REJECTED, SETTLED, Message, Messenger, Selectable
from conftest import REPO
from messenger_util import GUARD, free_port


def kind(fd):
    """"pipe", "listener", "socket" or "closed" (what 0.37's selectables hold)."""
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return "closed"
    if stat.S_ISFIFO(mode):
        return "pipe"
    if stat.S_ISSOCK(mode):
        s = socket.socket(fileno=os.dup(fd))
        try:
            return "listener" if s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) else "socket"
        finally:
            s.close()
    return "other"


def state(sel):
    return (kind(sel.fileno()), sel.reading, sel.writing, sel.deadline is not None,
            sel.registered, sel.is_terminal)


def drain(m):
    """Everything m hands out now, registered or not."""
    out = []
    while True:
        sel = m.selectable()
        if sel is None:
            return out
        out.append(sel)


class Pump(object):
    """The application's select() loop over several passive messengers."""

    def __init__(self, *messengers):
        self.messengers = list(messengers)
        self.selectables = []
        self.released = {id(m): 0 for m in messengers}

    def take(self):
        for m in self.messengers:
            while True:
                sel = m.selectable()
                if sel is None:
                    break
                if sel.is_terminal:
                    if sel in self.selectables:
                        self.selectables.remove(sel)
                    sel.release()
                    self.released[id(m)] += 1
                else:
                    sel.registered = True
                    if sel not in self.selectables:
                        self.selectables.append(sel)

    def once(self, timeout=0.05):
        self.take()
        reading = [s for s in self.selectables if s.reading]
        writing = [s for s in self.selectables if s.writing]
        now = time.time()
        deadlines = [s.deadline for s in self.selectables if s.deadline is not None]
        if deadlines:
            timeout = max(0, min(timeout, min(deadlines) - now))
        readable, writable, _ = select.select(reading, writing, [], timeout)
        now = time.time()
        expired = [s for s in self.selectables if s.deadline is not None and s.deadline <= now]
        for s in readable:
            s.readable()
        for s in writable:
            s.writable()
        for s in expired:
            s.expired()

    def until(self, predicate, what, step=None):
        deadline = time.monotonic() + GUARD
        while not predicate():
            if time.monotonic() > deadline:
                pytest.fail("gave up waiting for %s after %ss" % (what, GUARD))
            self.once()
            if step is not None:
                step()


def passive(name=None):
    m = Messenger(name)
    m.passive = True
    return m


# ---------------------------------------------------------------------------------------------
# What a messenger hands out


def test_a_new_messenger_hands_out_its_interrupt_pipe_once():
    m = passive()
    sel = m.selectable()
    assert isinstance(sel, Selectable)
    assert state(sel) == ("pipe", True, False, False, False, False)
    assert m.selectable() is None
    assert m.deadline is None


def test_an_active_messenger_hands_out_its_pipe_until_its_own_loop_took_it():
    m = Messenger()
    assert [state(s) for s in drain(m)] == [("pipe", True, False, False, False, False)]
    m2 = Messenger()
    assert m2.work(0) is False
    assert drain(m2) == []


def test_subscribe_hands_out_a_listener_then_stop_makes_it_terminal():
    m = passive()
    m.subscribe("amqp://~127.0.0.1:%d" % free_port())
    listener, pipe = drain(m)
    assert state(listener) == ("listener", True, False, False, False, False)
    assert state(pipe) == ("pipe", True, False, False, False, False)
    listener.registered = True
    m.stop()  # PN_INPROGRESS: no exception
    assert m.stopped is False
    again = m.selectable()
    assert again == listener and hash(again) == hash(listener) and again is not listener
    assert state(again) == ("listener", True, False, False, True, True)
    assert m.selectable() is None
    fd = again.fileno()
    again.release()
    assert m.stopped is True
    assert kind(fd) != "listener"  # closed (or already reused for something else)
    with pytest.raises(ValueError):
        again.fileno()


def test_unregistered_selectables_are_not_handed_out_again():
    m = passive()
    m.subscribe("amqp://~127.0.0.1:%d" % free_port())
    drain(m)
    m.stop()
    assert drain(m) == []
    assert m.stopped is False


def test_put_to_a_new_address_hands_out_a_connection():
    port = free_port()
    peer = socket.socket()
    peer.bind(("127.0.0.1", port))
    peer.listen(4)
    m = passive()
    m.outgoing_window = 5
    t = m.put(Message(address="amqp://127.0.0.1:%d/q" % port, body=1))
    conn, pipe = drain(m)
    assert state(conn) == ("socket", True, True, False, False, False)
    assert kind(pipe.fileno()) == "pipe"
    m.put(Message(address="amqp://127.0.0.1:%d/other" % port, body=2))
    assert drain(m) == []  # same connection, not registered
    conn.registered = True
    m.put(Message(address="amqp://127.0.0.1:%d/q" % port, body=3))
    assert drain(m) == [conn]  # new frames to write
    assert m.outgoing == 3 and m.status(t) is proton.PENDING
    # Passive: blocking calls only look at the state.
    assert m.send() is None and m.recv(1) is None and m.work(0) is True
    m.stop()
    assert m.stopped is False
    peer.close()
    # The peer went away without a word: the loop sees the socket fail and the messenger
    # lets the connection go once the loop releases it.
    pump = Pump(m)
    pump.selectables = [conn]
    pump.until(lambda: m.stopped, "the messenger stopped")
    assert m.outgoing == 0


def test_selectable_setters():
    m = passive()
    sel = m.selectable()
    fd = sel.fileno()
    sel.fileno(None)
    assert sel.fileno() == proton.PN_INVALID_SOCKET
    sel.fileno(fd)
    assert sel.fileno() == fd
    sel.reading, sel.writing = False, True
    assert (sel.reading, sel.writing) == (False, True)
    sel.deadline = 1234.5
    assert sel.deadline == 1234.5
    sel.deadline = None
    assert sel.deadline is None
    sel.registered = True
    assert sel.registered is True
    assert "Selectable" in repr(sel)


def test_interrupt_makes_the_pipe_readable():
    m = passive()
    pipe = m.selectable()
    assert select.select([pipe], [], [], 0)[0] == []
    m.interrupt()
    assert select.select([pipe], [], [], 0)[0] == [pipe]
    pipe.readable()
    assert select.select([pipe], [], [], 0)[0] == []
    assert m.work(0) is True  # passive: PN_INPROGRESS, never PN_INTR


def test_deadline_while_a_receiving_link_waits_for_credit():
    port = free_port()
    server = passive("server")
    server.subscribe("amqp://~127.0.0.1:%d" % port)
    client = passive("client")
    client.subscribe("amqp://127.0.0.1:%d/in" % port)
    assert client.deadline is None
    conn = client.selectable()
    assert 0 < client.deadline - time.time() <= 0.25 + 0.05
    assert conn.deadline == client.deadline
    client.recv(1)  # credit for the link: nothing to rebalance
    assert client.deadline is None
    pump = Pump(server, client)
    conn.registered = True  # taken from the messenger above: the loop adopts it
    pump.selectables.append(conn)
    pump.once()
    server.stop()
    client.stop()
    pump.until(lambda: server.stopped and client.stopped, "both stopped")


# ---------------------------------------------------------------------------------------------
# Two passive messengers pumped by one select loop


@pytest.mark.parametrize("count", [1, 16, 1024, 4096])
def test_select_loop_exchange(count):
    port = free_port()
    receiver = passive("receiver")
    sender = passive("sender")
    receiver.incoming_window = count
    sender.outgoing_window = count
    receiver.subscribe("amqp://~127.0.0.1:%d" % port)
    receiver.recv()
    address = "amqp://127.0.0.1:%d/pump" % port
    trackers = [sender.put(Message(address=address, body=i)) for i in range(count)]
    assert sender.outgoing == count
    sender.send()  # PN_INPROGRESS
    pump = Pump(receiver, sender)
    got = []

    def take():
        while receiver.incoming:
            msg = Message()
            receiver.accept(receiver.get(msg))
            got.append(msg.body)
        receiver.recv()

    pump.until(lambda: len(got) == count and
               all(sender.status(t) is ACCEPTED for t in trackers[-1:]), "all accepted", take)
    pump.until(lambda: all(sender.status(t) is ACCEPTED for t in trackers), "every tracker")
    assert got == list(range(count))
    assert sender.outgoing == 0 and receiver.incoming == 0
    sender.settle()

    receiver.stop()
    sender.stop()
    assert (receiver.stopped, sender.stopped) == (False, False)
    released = []

    def note():
        released.append((pump.released[id(receiver)], receiver.stopped,
                         pump.released[id(sender)], sender.stopped))

    pump.until(lambda: receiver.stopped and sender.stopped, "both stopped", note)
    # Stopped only once the loop released the listener and the connection (receiver) and the
    # connection (sender).
    assert pump.released == {id(receiver): 2, id(sender): 1}
    assert all(r_stopped == (r == 2) and s_stopped == (s == 1)
               for r, r_stopped, s, s_stopped in released)
    assert [kind(s.fileno()) for s in pump.selectables] == ["pipe", "pipe"]
    receiver.stop()
    sender.stop()


def test_select_loop_outcomes():
    port = free_port()
    receiver = passive("receiver")
    sender = passive("sender")
    receiver.incoming_window = 10
    sender.outgoing_window = 10
    receiver.subscribe("amqp://~127.0.0.1:%d" % port)
    receiver.recv(10)
    trackers = [sender.put(Message(address="amqp://127.0.0.1:%d" % port, body=i))
                for i in range(6)]
    pump = Pump(receiver, sender)
    pump.until(lambda: receiver.incoming == 6, "six messages")
    for i in range(6):
        t = receiver.get()
        if i % 3 == 0:
            receiver.accept(t)
        elif i % 3 == 1:
            receiver.reject(t)
        else:
            receiver.settle(t)
    pump.until(lambda: all(sender.status(t) is not proton.PENDING for t in trackers), "outcomes")
    assert [sender.status(t) for t in trackers] == [ACCEPTED, REJECTED, SETTLED] * 2
    receiver.stop()
    sender.stop()
    pump.until(lambda: receiver.stopped and sender.stopped, "both stopped")


def test_two_receivers_and_a_sender_in_one_loop():
    ports = [free_port(), free_port()]
    receivers = [passive("r%d" % i) for i in range(2)]
    for r, port in zip(receivers, ports):
        r.incoming_window = 100
        r.subscribe("amqp://~127.0.0.1:%d" % port)
        r.recv()
    sender = passive("sender")
    sender.outgoing_window = 100
    trackers = [sender.put(Message(address="amqp://127.0.0.1:%d/x" % ports[i % 2], body=i))
                for i in range(100)]
    pump = Pump(sender, *receivers)
    got = [[], []]

    def take():
        for r, g in zip(receivers, got):
            while r.incoming:
                msg = Message()
                r.accept(r.get(msg))
                g.append(msg.body)
            r.recv()

    pump.until(lambda: all(sender.status(t) is ACCEPTED for t in trackers), "all accepted", take)
    assert got == [list(range(0, 100, 2)), list(range(1, 100, 2))]
    for m in [sender] + receivers:
        m.stop()
    pump.until(lambda: all(m.stopped for m in [sender] + receivers), "all stopped")


@pytest.fixture(scope="module")
def cert():
    certs = os.path.join(REPO, "build", "certs")
    subprocess.check_call(["bash", os.path.join(REPO, "scripts", "gen-test-certs.sh"), certs])
    return lambda name: os.path.join(certs, name)


def test_select_loop_over_amqps(cert):
    # TLS below AMQP changes nothing for the loop: the selectables carry the encrypted bytes.
    port = free_port()
    receiver = passive("receiver")
    receiver.certificate = cert("server.pem")
    receiver.private_key = cert("server.key")
    receiver.incoming_window = 16
    receiver.subscribe("amqps://~127.0.0.1:%d" % port)
    receiver.recv()
    sender = passive("sender")
    sender.trusted_certificates = cert("ca.pem")
    sender.outgoing_window = 16
    trackers = [sender.put(Message(address="amqps://127.0.0.1:%d/tls" % port, body=i))
                for i in range(16)]
    pump = Pump(receiver, sender)
    got = []

    def take():
        while receiver.incoming:
            msg = Message()
            receiver.accept(receiver.get(msg))
            got.append(msg.body)
        receiver.recv()

    pump.until(lambda: all(sender.status(t) is ACCEPTED for t in trackers), "all accepted", take)
    assert got == list(range(16))
    receiver.stop()
    sender.stop()
    pump.until(lambda: receiver.stopped and sender.stopped, "both stopped")
