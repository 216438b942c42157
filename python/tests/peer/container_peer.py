"""python-qpid-proton 0.40 Container peer for the Messenger interop tests (its own venv/process).

    container_peer.py '<json request>'

Modes (the request's "mode"):

* ``receive``: listen on 127.0.0.1 (port 0, printed as ``{"port": N}``), take ``count``
  messages on any link, settle each with the outcome its body asks for (``REJECT-ME`` ->
  rejected, ``RELEASE-ME`` -> released, ``MODIFY-ME`` -> modified, anything else accepted), and
  finish once the peer has closed the connection.
* ``send``: connect to ``url`` and send ``messages`` (tagged.py specs) on a link to ``address``;
  once every delivery has an outcome (or was settled without one: ``SETTLED``), close the
  connection and finish.
* ``serve``: listen (port printed as above); when a peer attaches a receiving link, send it
  ``messages``; finish once the peer closed the connection.

With ``echo_termini``, links the peer opens are answered with the peer's own source and target.

TLS and SASL (optional): ``tls`` = ``{"cert", "key", "password", "ca", "verify",
"client_ca"}`` makes a listener TLS-only with that certificate (``client_ca``: clients must
present a certificate from that CA) or a connecting peer use TLS (``ca`` and ``verify``, one of
``VERIFY_PEER``, ``VERIFY_PEER_NAME``, ``ANONYMOUS_PEER``; ``cert``/``key`` for a client
certificate); ``sasl`` = ``{"mechs", "user", "password"}`` sets a connecting peer's SASL. The
result then also has ``sasl_user``: the user the connection authenticated as.

The result is one JSON line on stdout: ``{"version", "proton_file", "received": [specs],
"outcomes": [names per sent message], "links": [{"source", "target"}], "error"}``. ``error``
is set (and the exit status 1) when the ``guard`` seconds ran out or the transport failed.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OURS = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path[:] = [HERE] + [p for p in sys.path[1:] if os.path.abspath(p or ".") != OURS]

import proton  # noqa: E402  (0.40's)
from proton import Delivery, SSLDomain  # noqa: E402
from proton.handlers import MessagingHandler  # noqa: E402
from proton.reactor import Container  # noqa: E402
import tagged  # noqa: E402

if os.path.abspath(proton.__file__).startswith(OURS + os.sep):
    sys.exit("container_peer: imported our proton (%s), not python-qpid-proton 0.40"
             % proton.__file__)

OUTCOME_NAMES = {Delivery.ACCEPTED: "ACCEPTED", Delivery.REJECTED: "REJECTED",
                 Delivery.RELEASED: "RELEASED", Delivery.MODIFIED: "MODIFIED",
                 Delivery.RECEIVED: "RECEIVED"}


class Peer(MessagingHandler):
    def __init__(self, request):
        super(Peer, self).__init__(prefetch=request.get("prefetch", 10), auto_accept=False,
                                   auto_settle=True)
        self.request = request
        self.mode = request["mode"]
        self.specs = request.get("messages", [])
        self.count = request.get("count", len(self.specs))
        self.received = []
        self.outcomes = {}  # delivery tag -> outcome name
        self.sent = []  # delivery tags in send order
        self.links = []
        self.error = None
        self.acceptor = None
        self.sender = None
        self.closed = False
        self.sasl_user = None

    # lifecycle

    def _ssl_domain(self, mode):
        tls = self.request.get("tls")
        if not tls:
            return None
        domain = SSLDomain(mode)
        if tls.get("cert"):
            domain.set_credentials(tls["cert"], tls.get("key"), tls.get("password"))
        if tls.get("ca"):
            domain.set_trusted_ca_db(tls["ca"])
        if mode == SSLDomain.MODE_SERVER and tls.get("client_ca"):
            domain.set_trusted_ca_db(tls["client_ca"])
            domain.set_peer_authentication(SSLDomain.VERIFY_PEER, tls["client_ca"])
        if mode == SSLDomain.MODE_CLIENT and tls.get("verify"):
            domain.set_peer_authentication(getattr(SSLDomain, tls["verify"]))
        return domain

    def on_start(self, event):
        self.guard = event.container.schedule(self.request.get("guard", 60), self)
        if self.mode in ("receive", "serve"):
            self.acceptor = event.container.listen(
                "127.0.0.1:0", ssl_domain=self._ssl_domain(SSLDomain.MODE_SERVER))
            port = self.acceptor._selectable.getsockname()[1]
            print(json.dumps({"port": port}), flush=True)
        else:
            options = {"container_id": "peer-0.40"}
            domain = self._ssl_domain(SSLDomain.MODE_CLIENT)
            if domain is not None:
                options["ssl_domain"] = domain
            sasl = self.request.get("sasl")
            if sasl:
                options.update(sasl_enabled=True, allowed_mechs=sasl.get("mechs"),
                               user=sasl.get("user"), password=sasl.get("password"))
            conn = event.container.connect(self.request["url"], **options)
            self.sender = event.container.create_sender(conn, self.request.get("address"))

    def on_connection_opened(self, event):
        self.sasl_user = event.transport.user

    def on_timer_task(self, event):
        if not self.closed:
            self.error = "guard of %ss ran out" % self.request.get("guard", 60)
            event.container.stop()

    def on_transport_error(self, event):
        if not self.closed:
            cond = event.transport.condition
            self.error = "transport error: %s" % (cond and cond.description)
        event.container.stop()

    def _finish(self, event):
        # Let the container run out by itself: stop() could drop the close frames not yet
        # written (the messenger on the other side would then wait for them).
        self.closed = True
        self.guard.cancel()
        if self.acceptor is not None:
            self.acceptor.close()

    def on_connection_closed(self, event):
        self._finish(event)

    def on_transport_closed(self, event):
        # everything written and read: stop now rather than after the reactor's idle wait (3 s)
        if self.closed:
            event.container.stop()

    def on_disconnected(self, event):
        self._finish(event)

    def on_link_opening(self, event):
        # A peer-initiated link: answer with the peer's termini (as a broker would; 0.40's
        # MessagingHandler alone leaves them empty).
        if self.request.get("echo_termini"):
            event.link.source.copy(event.link.remote_source)
            event.link.target.copy(event.link.remote_target)

    def on_link_opened(self, event):
        link = event.link
        self.links.append({"source": link.remote_source.address,
                           "target": link.remote_target.address,
                           "role": "sender" if link.is_sender else "receiver"})

    # sending (send and serve)

    def on_sendable(self, event):
        sender = event.sender
        while sender.credit and len(self.sent) < len(self.specs):
            msg = tagged.message_from_spec(proton, self.specs[len(self.sent)])
            delivery = sender.send(msg)
            self.sent.append(delivery.tag)

    def _record(self, event, name):
        self.outcomes.setdefault(event.delivery.tag, name)
        self._maybe_close_after_send(event)

    def on_accepted(self, event):
        self._record(event, "ACCEPTED")

    def on_rejected(self, event):
        self._record(event, "REJECTED")

    def on_released(self, event):
        state = event.delivery.remote_state
        self._record(event, "MODIFIED" if state == Delivery.MODIFIED else "RELEASED")

    def on_settled(self, event):
        state = event.delivery.remote_state
        self._record(event, OUTCOME_NAMES.get(state, "SETTLED"))

    def _maybe_close_after_send(self, event):
        # the connecting sender ends the conversation; a serving one waits for the peer's close
        if self.mode == "send" and len(self.outcomes) == len(self.specs):
            event.connection.close()

    # receiving

    def on_message(self, event):
        spec = tagged.message_to_spec(proton, event.message)
        self.received.append(spec)
        body = event.message.body
        if event.delivery.settled:
            pass  # pre-settled by the sender: nothing to decide
        elif body == "REJECT-ME":
            self.reject(event.delivery)
        elif body == "RELEASE-ME":
            self.release(event.delivery, delivered=False)
        elif body == "MODIFY-ME":
            self.release(event.delivery, delivered=True)
        else:
            self.accept(event.delivery)

    def result(self):
        return {"version": list(proton.VERSION), "proton_file": proton.__file__,
                "received": self.received, "links": self.links,
                "outcomes": [self.outcomes.get(tag) for tag in self.sent],
                "sasl_user": self.sasl_user, "error": self.error}


def main():
    request = json.loads(sys.argv[1])
    peer = Peer(request)
    Container(peer).run()
    result = peer.result()
    print(json.dumps(result), flush=True)
    sys.exit(1 if result["error"] else 0)


if __name__ == "__main__":
    main()
