#!/usr/bin/env python3
"""Messengers driven by the application's own select() loop (passive mode, proton 0.21 style).

    select_loop.py [PORT]          (default 5673)

Reads lines from stdin. Each line becomes a message that a sending messenger puts to a
receiving messenger listening on amqp://~127.0.0.1:PORT in this process. One select() call
waits on stdin and on every Selectable the two messengers hand out (a Selectable has a
fileno(), so select takes it as it is); the messengers never block and never touch a socket
on their own. The receiver prints each message and accepts it; the sender reads more input
only while fewer than WINDOW messages wait for their outcome. At the end of the input the
program waits until every message is accepted, stops both messengers through the same loop,
and exits. The C twin of this program is c-tests/examples/poll_loop.c.
"""

import os
import select
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from proton import ACCEPTED, PENDING, Message, Messenger  # noqa: E402

WINDOW = 256


class Loop(object):
    """The selectables the application watches, taken from its messengers."""

    def __init__(self, *messengers):
        self.messengers = messengers
        self.watched = []

    def take(self):
        """A new selectable joins the loop (registered, so its messenger hands it out again
        whenever its interest changes); a terminal one leaves and is released."""
        for m in self.messengers:
            while True:
                sel = m.selectable()
                if sel is None:
                    break
                if sel.is_terminal:
                    if sel in self.watched:
                        self.watched.remove(sel)
                    sel.release()
                elif sel not in self.watched:
                    sel.registered = True
                    self.watched.append(sel)

    def wait(self, others):
        """select() on the selectables and the other readable files; the ready others."""
        reading = [s for s in self.watched if s.reading] + list(others)
        writing = [s for s in self.watched if s.writing]
        deadlines = [s.deadline for s in self.watched if s.deadline is not None]
        timeout = max(0.0, min(deadlines) - time.time()) if deadlines else None
        readable, writable, _ = select.select(reading, writing, [], timeout)
        now = time.time()
        for s in readable:
            if s in self.watched:
                s.readable()
        for s in writable:
            s.writable()
        for s in self.watched:
            if s.deadline is not None and s.deadline <= now:
                s.expired()
        return [f for f in readable if f in others]


def main():
    port = sys.argv[1] if len(sys.argv) > 1 else "5673"
    receiver = Messenger("select-loop-receiver")
    sender = Messenger("select-loop-sender")
    for m in (receiver, sender):
        m.passive = True
    receiver.incoming_window = WINDOW
    sender.outgoing_window = WINDOW
    receiver.subscribe("amqp://~127.0.0.1:%s" % port)
    receiver.recv()
    address = "amqp://127.0.0.1:%s/lines" % port

    loop = Loop(receiver, sender)
    stdin = sys.stdin.buffer.raw
    pending_input = b""
    input_open = True
    trackers = []  # sent, outcome not seen yet
    sent = 0
    stopping = False
    msg = Message()
    while True:
        loop.take()
        if stopping and receiver.stopped and sender.stopped:
            break
        # Send the complete lines read so far (the last needs no newline), window allowing.
        while len(trackers) < WINDOW and (b"\n" in pending_input or (not input_open and pending_input)):
            line, _, pending_input = pending_input.partition(b"\n")
            trackers.append(sender.put(Message(address=address, body=line.decode("utf-8"))))
            sent += 1
        reading_input = input_open and b"\n" not in pending_input
        for f in loop.wait([stdin] if reading_input else []):
            data = os.read(f.fileno(), 4096)
            if data:
                pending_input += data
            else:
                input_open = False
        while receiver.incoming:
            receiver.accept(receiver.get(msg))
            print("received: %s" % msg.body, flush=True)
        receiver.recv()
        # Outcomes, in order; a confirmed tracker is settled (it leaves the window).
        while trackers and sender.status(trackers[0]) is not PENDING:
            if sender.status(trackers[0]) is not ACCEPTED:
                sys.exit("select_loop.py: not accepted")
            sender.settle(trackers.pop(0))
        if not input_open and not pending_input and not trackers and not stopping:
            print("accepted: %d of %d" % (sent, sent), flush=True)
            receiver.stop()  # passive: returns at once; the loop finishes the close
            sender.stop()
            stopping = True
    print("stopped")


if __name__ == "__main__":
    main()
