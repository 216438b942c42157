"""Shared parts of the python-qpid-proton 0.40 peers driven by tests/engine_interop.rs.

Each peer prints one JSON object per line on stdout (flushed at once): what it saw
(connections, links, messages, outcomes, errors). The Rust test reads these lines and
asserts on them. Values are flat: strings, integers, booleans or null.

Messages a peer sends: body "message-<i>" (or, with --body-size, a binary body of that many
bytes of the pattern bytes(range(251)) repeated), application properties {"index": i}.
Messages a peer receives settle with the outcome named by their "outcome" property, or by
--outcome: accept, reject, release, modify-failed, modify-undeliverable, modify-both, none.
A rejection carries the condition from the "condition"/"description" properties (default
test:rejected / "rejected by the python peer").
"""

import argparse
import json
import sys
import zlib

from proton import Condition, Delivery, Link, Message
from proton.handlers import MessagingHandler


def emit(event, **fields):
    fields["event"] = event
    print(json.dumps(fields, sort_keys=True), flush=True)


def pattern(size):
    """The binary body of a large message: bytes(range(251)) repeated, cut to size."""
    block = bytes(range(251))
    return (block * (size // len(block) + 1))[:size]


def add_common_args(parser):
    parser.add_argument("--send", type=int, default=0, help="messages to send")
    parser.add_argument("--receive", type=int, default=0, help="messages to expect")
    parser.add_argument("--presettle", action="store_true", help="send pre-settled")
    parser.add_argument("--body-size", type=int, default=0, help="binary body size")
    parser.add_argument("--outcome", default="accept")
    parser.add_argument("--idle-timeout", type=float, default=0.0, help="seconds")
    parser.add_argument("--close-after", type=int, default=0,
                        help="close the connection after this many messages received")
    parser.add_argument("--close-on-open", action="store_true",
                        help="close the connection as soon as it is open")
    parser.add_argument("--close-condition", default=None)
    parser.add_argument("--close-description", default=None)
    parser.add_argument("--stop-when-closed", action="store_true")


def condition_fields(cond):
    if cond is None:
        return {"condition": None, "description": None}
    return {"condition": cond.name, "description": cond.description}


def state_name(state):
    names = {
        Delivery.ACCEPTED: "accepted",
        Delivery.REJECTED: "rejected",
        Delivery.RELEASED: "released",
        Delivery.MODIFIED: "modified",
        Delivery.RECEIVED: "received",
    }
    return names.get(state, None if state is None or int(state) == 0 else str(state))


class Peer(MessagingHandler):
    """The behaviour both peers share: send, receive, settle, close, report."""

    def __init__(self, args):
        super().__init__(prefetch=10, auto_accept=False, auto_settle=True)
        self.args = args
        self.sent = 0
        self.received = 0
        self.tags = {}
        self.connection = None

    # ---- reporting -------------------------------------------------------------------

    def on_connection_opened(self, event):
        c = event.connection
        t = event.transport
        emit("connection_opened",
             remote_container=c.remote_container,
             remote_idle_timeout_ms=int(round(t.remote_idle_timeout * 1000)),
             remote_max_frame_size=t.remote_max_frame_size)
        if self.args.close_on_open:
            self.close_connection(c)

    def on_link_opened(self, event):
        link = event.link
        emit("link_opened",
             role="sender" if link.is_sender else "receiver",
             name=link.name,
             remote_source=link.remote_source.address,
             remote_target=link.remote_target.address,
             remote_snd_settle_mode=int(link.remote_snd_settle_mode),
             remote_rcv_settle_mode=int(link.remote_rcv_settle_mode))

    def on_connection_remote_close(self, event):
        emit("connection_remote_close", **condition_fields(event.connection.remote_condition))

    def on_connection_error(self, event):
        # Reported by on_connection_remote_close; do not print proton's own message.
        pass

    def on_connection_closed(self, event):
        emit("connection_closed")
        if self.args.stop_when_closed:
            self.stop(event)

    def on_transport_error(self, event):
        emit("transport_error", **condition_fields(event.transport.condition))

    def on_transport_closed(self, event):
        emit("transport_closed")
        if self.args.stop_when_closed:
            self.stop(event)

    def on_disconnected(self, event):
        emit("disconnected")

    def stop(self, event):
        """Overridden by the server to stop listening."""

    # ---- sending ---------------------------------------------------------------------

    def make_message(self, i):
        if self.args.body_size:
            body = pattern(self.args.body_size)
        else:
            body = "message-%d" % i
        return Message(body=body, properties={"index": i})

    def on_sendable(self, event):
        sender = event.sender
        while self.sent < self.args.send and sender.credit > 0:
            dlv = sender.send(self.make_message(self.sent))
            self.tags[dlv.tag] = self.sent
            emit("sent", index=self.sent,
                 presettled=sender.snd_settle_mode == Link.SND_SETTLED)
            self.sent += 1

    def report_outcome(self, event):
        dlv = event.delivery
        remote = dlv.remote
        fields = condition_fields(remote.condition)
        emit("outcome",
             index=self.tags.get(dlv.tag),
             state=state_name(dlv.remote_state),
             failed=bool(remote.failed),
             undeliverable=bool(remote.undeliverable),
             settled=bool(dlv.settled),
             **fields)
        # MessagingHandler settles only what the receiver settled; in rcv-settle-mode
        # second the receiver waits for us, so settle here.
        if not dlv.settled and dlv.link.remote_rcv_settle_mode == Link.RCV_SECOND:
            dlv.settle()

    def on_accepted(self, event):
        self.report_outcome(event)

    def on_rejected(self, event):
        self.report_outcome(event)

    def on_released(self, event):
        self.report_outcome(event)

    # ---- receiving -------------------------------------------------------------------

    def on_message(self, event):
        dlv = event.delivery
        msg = event.message
        props = msg.properties or {}
        body = msg.body
        fields = {}
        if isinstance(body, (bytes, bytearray, memoryview)):
            body = bytes(body)
            fields["body_len"] = len(body)
            fields["body_crc32"] = zlib.crc32(body) & 0xFFFFFFFF
        else:
            fields["body"] = body
        for k, v in props.items():
            if isinstance(v, (str, int, bool)) or v is None:
                fields["prop_" + str(k)] = v if not isinstance(v, bool) else bool(v)
        outcome = props.get("outcome", self.args.outcome)
        remote_settled = bool(dlv.settled)
        emit("message", settled=remote_settled, outcome=outcome, **fields)
        if not remote_settled:
            self.give_outcome(dlv, outcome, props)
        else:
            dlv.settle()
        self.received += 1
        if self.args.close_after and self.received == self.args.close_after:
            self.close_connection(event.connection)

    def give_outcome(self, dlv, outcome, props):
        if outcome == "none":
            return
        if outcome == "accept":
            dlv.update(Delivery.ACCEPTED)
        elif outcome == "reject":
            dlv.local.condition = Condition(
                props.get("condition", "test:rejected"),
                props.get("description", "rejected by the python peer"))
            dlv.update(Delivery.REJECTED)
        elif outcome == "release":
            dlv.update(Delivery.RELEASED)
        elif outcome.startswith("modify"):
            dlv.local.failed = outcome in ("modify-failed", "modify-both")
            dlv.local.undeliverable = outcome in ("modify-undeliverable", "modify-both")
            dlv.update(Delivery.MODIFIED)
        else:
            raise ValueError("unknown outcome %r" % outcome)
        dlv.settle()

    # ---- closing ---------------------------------------------------------------------

    def close_connection(self, connection):
        if self.args.close_condition:
            connection.condition = Condition(self.args.close_condition,
                                             self.args.close_description)
        emit("closing", **condition_fields(connection.condition))
        connection.close()


def parse(description, extra):
    parser = argparse.ArgumentParser(description=description)
    add_common_args(parser)
    extra(parser)
    return parser.parse_args()


def run(container):
    try:
        container.run()
    except KeyboardInterrupt:
        pass
    emit("exit")
    sys.stdout.flush()
