"""Our Messenger against python-qpid-proton 0.40's Container (tests/peer/container_peer.py,
run by build/venv-peer's python in its own process), both ways and both roles:

* the Container listens and receives, our messenger connects and sends (tracked: the
  statuses follow the Container's outcomes);
* the Container connects and sends to our messenger's ``amqp://~127.0.0.1:PORT`` listener;
* the Container listens and sends, our messenger connects (subscribes) and receives.
"""

import json
import os
import subprocess

import pytest

import proton
import tagged
from conftest import PYTHON_DIR, REPO
from messenger_util import GUARD, free_port, wait_until
from proton import ACCEPTED, MODIFIED, REJECTED, RELEASED, Message, Messenger

PEER_SCRIPT = os.path.join(PYTHON_DIR, "tests", "peer", "container_peer.py")


def peer_python():
    py = os.environ.get("PROTON_PEER_PYTHON") or \
        os.path.join(REPO, "build", "venv-peer", "bin", "python")
    if not os.path.exists(py):
        pytest.fail("no python-qpid-proton 0.40 venv at %s (run python/run-tests.sh)" % py)
    return py


class Peer(object):
    """A running container_peer.py process."""

    def __init__(self, **request):
        request.setdefault("guard", GUARD)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PROTON_LIB")}
        self.proc = subprocess.Popen([peer_python(), PEER_SCRIPT, json.dumps(request)], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     universal_newlines=True)
        self.port = None
        if request["mode"] in ("receive", "serve"):
            line = self.proc.stdout.readline()
            if not line:
                self.kill()
                pytest.fail("peer did not start: %s" % self.proc.stderr.read())
            self.port = json.loads(line)["port"]

    def running(self):
        return self.proc.poll() is None

    def result(self):
        """The peer's JSON result, once it has finished by itself."""
        try:
            out, err = self.proc.communicate(timeout=GUARD + 10)
        finally:
            self.kill()
        lines = out.strip().splitlines()
        assert lines, "peer printed nothing; stderr:\n" + err
        result = json.loads(lines[-1])
        assert result["version"] == [0, 40, 0]
        assert not result["proton_file"].startswith(PYTHON_DIR), result["proton_file"]
        assert result["error"] is None, "%s\nstderr:\n%s" % (result["error"], err)
        assert self.proc.returncode == 0, err
        return result

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def peers():
    started = []

    def start(**request):
        p = Peer(**request)
        started.append(p)
        return p
    yield start
    for p in started:
        p.kill()


def spec_of(msg):
    return tagged.message_to_spec(proton, msg)


def body(text, **fields):
    spec = {"body": ["string", text]}
    spec.update(fields)
    return spec


# ---------------------------------------------------------------------------------------------
# Container listens and receives; our messenger sends


@pytest.mark.parametrize("window", [0, 10])
def test_messenger_sends_to_container(peers, window):
    bodies = ["one", "REJECT-ME", "three", "RELEASE-ME", "MODIFY-ME", "six"]
    peer = peers(mode="receive", count=len(bodies))
    address = "amqp://127.0.0.1:%d/inbox" % peer.port
    m = Messenger("ours")
    m.timeout = GUARD
    m.outgoing_window = window
    sent = []
    for i, text in enumerate(bodies):
        msg = tagged.message_from_spec(proton, {
            "address": address, "subject": "s%d" % i, "body": ["string", text],
            "properties": ["map", [[["string", "i"], ["long", i]]]],
            "id": ["ulong", i], "reply_to": "~/back", "durable": True, "priority": 7})
        sent.append((m.put(msg), msg))
    assert [t for t, _ in sent] == list(range(len(bodies)))
    m.send()
    if window:
        assert [m.status(t) for t, _ in sent] == [ACCEPTED, REJECTED, ACCEPTED, RELEASED,
                                                  MODIFIED, ACCEPTED]
    else:
        assert [m.status(t) for t, _ in sent] == [None] * len(bodies)
    m.stop()
    assert m.stopped
    result = peer.result()
    assert result["received"] == [spec_of(msg) for _, msg in sent]
    assert result["received"][0]["reply_to"] == "amqp://ours/back"
    assert result["received"][0]["address"] == address
    assert result["links"] == [{"source": "inbox", "target": "inbox", "role": "receiver"}]


def test_messenger_sends_many_to_container(peers):
    peer = peers(mode="receive", count=1000)
    m = Messenger()
    m.timeout = GUARD
    msg = Message(address="amqp://127.0.0.1:%d/many" % peer.port)
    for i in range(1000):
        msg.body = i
        m.put(msg)
    m.send()
    assert m.outgoing == 0
    m.stop()
    received = peer.result()["received"]
    assert [r["body"] for r in received] == [["long", i] for i in range(1000)]


def test_messenger_sends_a_large_message_to_container(peers):
    peer = peers(mode="receive", count=1)
    payload = os.urandom(5 * 1024 * 1024)
    m = Messenger()
    m.timeout = GUARD
    m.outgoing_window = 1
    t = m.put(Message(address="amqp://127.0.0.1:%d/big" % peer.port, body=payload))
    m.send()
    assert m.status(t) is ACCEPTED
    m.stop()
    [got] = peer.result()["received"]
    assert got["body"] == ["binary", payload.hex()]


# ---------------------------------------------------------------------------------------------
# Container connects and sends to our messenger's listener


def _receive_all(m, n):
    got = []
    msg = Message()
    while len(got) < n:
        m.recv()
        while m.incoming:
            t = m.get(msg)
            got.append((t, spec_of(msg)))
            if msg.body == "REJECT-ME":
                m.reject(t)
            else:
                m.accept(t)
    return got


@pytest.mark.parametrize("window,outcomes", [
    (10, ["ACCEPTED", "REJECTED", "ACCEPTED", "ACCEPTED"]),
    (0, ["SETTLED"] * 4),  # window 0: settled at get() with no outcome (API.md 3.5)
])
def test_container_sends_to_messenger_listener(peers, window, outcomes):
    port = free_port()
    m = Messenger("listener")
    m.timeout = GUARD
    m.incoming_window = window
    sub = m.subscribe("amqp://~127.0.0.1:%d" % port)
    specs = [body("a", subject="x", properties=["map", [[["string", "k"], ["int", 1]]]]),
             body("REJECT-ME"), body("c", correlation_id=["string", "corr"]),
             body("d", address="amqp://127.0.0.1:%d/inbox" % port)]
    peer = peers(mode="send", url="amqp://127.0.0.1:%d" % port, address="inbox", messages=specs)
    got = _receive_all(m, len(specs))
    assert [t for t, _ in got] == [(1 << 60) + i for i in range(len(specs))]
    assert [spec for _, spec in got] == [tagged.expected_message(s) for s in specs]
    # the Container's link has no source address, so the subscription never learns one:
    # address waits for it (the messenger's timeout) and gives None
    m.timeout = 0.1
    assert sub.address is None
    m.timeout = GUARD
    wait_until(lambda: not peer.running(), "the peer to close", lambda: m.work(0.05))
    result = peer.result()
    assert result["outcomes"] == outcomes
    assert result["links"] == [{"source": None, "target": "inbox", "role": "sender"}]
    m.stop()
    assert m.stopped


def test_container_sends_many_to_messenger_listener(peers):
    port = free_port()
    m = Messenger()
    m.timeout = GUARD
    m.incoming_window = 1000
    m.subscribe("amqp://~127.0.0.1:%d" % port)
    specs = [body("m%d" % i) for i in range(500)]
    peer = peers(mode="send", url="amqp://127.0.0.1:%d" % port, address="many", messages=specs)
    got = _receive_all(m, len(specs))
    assert [s["body"] for _, s in got] == [s["body"] for s in specs]
    wait_until(lambda: not peer.running(), "the peer to close", lambda: m.work(0.05))
    assert peer.result()["outcomes"] == ["ACCEPTED"] * 500
    m.stop()


# ---------------------------------------------------------------------------------------------
# Container listens and sends; our messenger connects and receives


@pytest.mark.parametrize("echo_termini", [True, False])
def test_messenger_receives_from_container_listener(peers, echo_termini):
    specs = [body("first"), body("REJECT-ME"), body("third", subject="t"),
             {"body": ["binary", "00ff"], "inferred": True}]
    peer = peers(mode="serve", messages=specs, echo_termini=echo_termini)
    m = Messenger("subscriber")
    m.timeout = GUARD
    m.incoming_window = 10
    sub = m.subscribe("amqp://127.0.0.1:%d/feed" % peer.port)
    got = _receive_all(m, len(specs))
    assert [spec for _, spec in got] == [tagged.expected_message(s) for s in specs]
    if echo_termini:
        assert sub.address == "amqp://127.0.0.1:%d/feed" % peer.port
    else:  # no source address in the Container's attach: none to learn (see above)
        m.timeout = 0.1
        assert sub.address is None
        m.timeout = GUARD
    m.stop()  # flushes the outcomes, then closes
    assert m.stopped
    result = peer.result()
    assert result["outcomes"] == ["ACCEPTED", "REJECTED", "ACCEPTED", "ACCEPTED"]
    assert result["links"] == [{"source": "feed", "target": "feed", "role": "sender"}]
