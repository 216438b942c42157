#!/usr/bin/env python3
"""Receive messages with the legacy Messenger API and print them (proton 0.21 style).

    recv.py [-c COUNT] [-t SECONDS] [ADDRESS...]

Subscribes to every ADDRESS (default amqp://~0.0.0.0, i.e. listen on port 5672 of every
interface; amqp://host:port/queue receives from a peer's queue) and prints, for each message,
its address, subject (or "(no subject)"), application properties and body. Runs until COUNT
messages have arrived (forever without -c); -t bounds each wait (exit 1 on timeout).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from proton import Message, Messenger, Timeout  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description="Receive and print messages (Messenger API).")
    parser.add_argument("addresses", nargs="*", default=["amqp://~0.0.0.0"], metavar="ADDRESS",
                        help="address to subscribe to (default amqp://~0.0.0.0)")
    parser.add_argument("-c", "--count", type=int, default=0,
                        help="stop after this many messages (default: never)")
    parser.add_argument("-t", "--timeout", type=float, default=None,
                        help="seconds to wait for each batch of messages (default: forever)")
    opts = parser.parse_args()

    mng = Messenger()
    mng.timeout = opts.timeout
    mng.start()
    for address in opts.addresses:
        mng.subscribe(address)
    print("recv.py: subscribed to %s" % " ".join(opts.addresses), flush=True)

    msg = Message()
    received = 0
    try:
        while not opts.count or received < opts.count:
            mng.recv()
            while mng.incoming and (not opts.count or received < opts.count):
                mng.get(msg)
                received += 1
                print(msg.address, msg.subject or "(no subject)", msg.properties, msg.body,
                      flush=True)
    except Timeout:
        print("recv.py: timed out after %d message(s)" % received, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    finally:
        try:
            mng.stop()
        except Timeout:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
