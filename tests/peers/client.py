"""A python-qpid-proton 0.40 client for tests/engine_interop.rs.

It connects to 127.0.0.1:--port, then sends --send messages on a sender to --address,
or takes --receive messages on a receiver from it, and closes the connection when done
(or keeps it open for --linger seconds first). See peer_common.py for the line format.
"""

from proton.reactor import AtMostOnce, Container

from peer_common import Peer, emit, parse, run


def extra_args(parser):
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", default="queue")
    parser.add_argument("--no-sasl", action="store_true")
    parser.add_argument("--linger", type=float, default=0.0,
                        help="seconds to keep the connection open before closing it")


class Client(Peer):
    def __init__(self, args):
        super().__init__(args)
        self.done = False

    def on_start(self, event):
        url = "amqp://127.0.0.1:%d" % self.args.port
        options = {"reconnect": False}
        if self.args.idle_timeout:
            options["heartbeat"] = self.args.idle_timeout
        if self.args.no_sasl:
            options["sasl_enabled"] = False
        else:
            options["allowed_mechs"] = "ANONYMOUS"
        conn = event.container.connect(url, **options)
        self.connection = conn
        if self.args.send:
            link_options = AtMostOnce() if self.args.presettle else None
            event.container.create_sender(conn, self.args.address, options=link_options)
        elif self.args.receive:
            event.container.create_receiver(conn, self.args.address)
        self.container = event.container

    def on_connection_opened(self, event):
        super().on_connection_opened(event)
        if not (self.args.send or self.args.receive or self.args.close_on_open):
            self.finish_later(event)

    def finish_later(self, event):
        if self.done:
            return
        self.done = True
        if self.args.linger:
            self.container.schedule(self.args.linger, self)
        else:
            self.close_connection(self.connection)

    def on_timer_task(self, event):
        self.close_connection(self.connection)

    def report_outcome(self, event):
        super().report_outcome(event)
        self.outcomes = getattr(self, "outcomes", 0) + 1
        if self.outcomes == self.args.send:
            self.finish_later(event)

    def on_sendable(self, event):
        super().on_sendable(event)
        if self.args.presettle and self.sent == self.args.send:
            self.finish_later(event)

    def on_message(self, event):
        super().on_message(event)
        if self.args.receive and self.received == self.args.receive:
            self.finish_later(event)


if __name__ == "__main__":
    args = parse("python-qpid-proton test client", extra_args)
    args.stop_when_closed = True
    run(Container(Client(args)))
