"""Peer side of the interop tests: run by the python-qpid-proton 0.40 venv's python.

Reads ``{"ops": [...]}`` (see tagged.run_ops) as JSON on stdin and writes
``{"version": [...], "results": [...]}`` as JSON on stdout. Only this directory is put on
sys.path, so ``import proton`` is 0.40's package, never ours.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OURS = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path[:] = [HERE] + [p for p in sys.path[1:] if os.path.abspath(p or ".") != OURS]

import proton  # noqa: E402  (0.40's)
import tagged  # noqa: E402

if os.path.abspath(proton.__file__).startswith(OURS + os.sep):
    sys.exit("codec_peer: imported our proton (%s), not python-qpid-proton 0.40" % proton.__file__)


def main():
    request = json.load(sys.stdin)
    results = tagged.run_ops(proton, request["ops"])
    json.dump({"version": list(proton.VERSION), "proton_file": proton.__file__, "results": results},
              sys.stdout)


if __name__ == "__main__":
    main()
