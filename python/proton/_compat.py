"""Python 2/3 helpers that code written for python-qpid-proton 0.21 imports from ``proton._compat``.

Only Python 3 is supported; the names keep their 0.21 meaning on Python 3.
"""

import sys

IS_PY2 = sys.version_info[0] == 2
IS_PY3 = sys.version_info[0] == 3

INT_TYPES = (int,)
TEXT_TYPES = (str,)
STRING_TYPES = (str,)
BINARY_TYPES = (bytes,)
CLASS_TYPES = (type,)


def raise_(t, v=None, tb=None):
    """Raise ``t`` (an exception class) with value ``v`` and optional traceback ``tb``."""
    if v is None:
        v = t()
    if tb is not None:
        raise v.with_traceback(tb)
    raise v


def bin2str(s, encoding="utf-8"):
    """Binary to text: the identity on Python 3 (0.21 behaviour)."""
    return s


def iteritems(d):
    return iter(d.items())


def unichar(i):
    return chr(i)


def str2bin(s, encoding="latin-1"):
    """Text to bytes (latin-1 by default)."""
    return s.encode(encoding)


def str2unicode(s):
    return s
