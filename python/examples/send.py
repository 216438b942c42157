#!/usr/bin/env python3
"""Send messages with the legacy Messenger API (proton 0.21 style).

    send.py [-a ADDRESS] [-s SUBJECT] [-t SECONDS] [MESSAGE...]

Puts one message per MESSAGE argument (default "Hello World!") to ADDRESS (default
amqp://0.0.0.0, i.e. port 5672 of this host), the argument as a string body, then blocks in
send() until every message has been written. -t bounds the wait (exit 1 on timeout).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from proton import Message, Messenger, Timeout  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description="Send messages (Messenger API).")
    parser.add_argument("messages", nargs="*", default=["Hello World!"], metavar="MESSAGE",
                        help="message body (default: Hello World!)")
    parser.add_argument("-a", "--address", default="amqp://0.0.0.0",
                        help="where to send (default amqp://0.0.0.0)")
    parser.add_argument("-s", "--subject", default=None, help="subject of every message")
    parser.add_argument("-t", "--timeout", type=float, default=None,
                        help="seconds to wait for the messages to go out (default: forever)")
    opts = parser.parse_args()

    mng = Messenger()
    mng.timeout = opts.timeout
    mng.start()
    msg = Message()
    for body in opts.messages:
        msg.address = opts.address
        msg.subject = opts.subject
        msg.body = body
        mng.put(msg)
    try:
        mng.send()
    except Timeout:
        print("send.py: timed out with %d message(s) unsent" % mng.outgoing, file=sys.stderr)
        return 1
    finally:
        try:
            mng.stop()
        except Timeout:
            pass
    print("send.py: sent %d message(s) to %s" % (len(opts.messages), opts.address), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
