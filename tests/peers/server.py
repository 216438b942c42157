"""A python-qpid-proton 0.40 listener for tests/engine_interop.rs (a broker-like peer).

It listens on 127.0.0.1 (port 0 by default: it prints the port it bound as
{"event": "listening", "port": P}), accepts any link the client attaches and answers it:
a sender when the client attaches a receiver (it then sends --send messages), a receiver
when the client attaches a sender (it settles what arrives with --outcome or the message's
"outcome" property). See peer_common.py for the line format and the other options.
"""

from proton import Link, SASL
from proton.reactor import Container

from peer_common import Peer, emit, parse, run


def extra_args(parser):
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--sasl", choices=["on", "off"], default="on",
                        help="on: offer SASL (ANONYMOUS); off: do not configure a SASL layer")


class Server(Peer):
    def __init__(self, args):
        super().__init__(args)
        self.acceptor = None

    def on_start(self, event):
        self.acceptor = event.container.acceptor("127.0.0.1", self.args.port)
        port = self.acceptor._selectable._delegate.getsockname()[1]
        emit("listening", port=port)

    def on_connection_bound(self, event):
        t = event.transport
        if self.args.sasl == "on":
            sasl = t.sasl()
            sasl.allowed_mechs("ANONYMOUS")
        if self.args.idle_timeout:
            t.idle_timeout = self.args.idle_timeout
        emit("accepted")

    def on_link_opening(self, event):
        link = event.link
        # Answer with the same addresses; honour a pre-settled request.
        if link.remote_source.address:
            link.source.address = link.remote_source.address
        if link.remote_target.address:
            link.target.address = link.remote_target.address
        if link.is_sender:
            link.snd_settle_mode = link.remote_snd_settle_mode
            if self.args.presettle:
                link.snd_settle_mode = Link.SND_SETTLED

    def stop(self, event):
        if self.acceptor is not None:
            self.acceptor.close()
            self.acceptor = None


if __name__ == "__main__":
    args = parse("python-qpid-proton test listener", extra_args)
    run(Container(Server(args)))
