"""Module-level names, exceptions, type wrappers, helper functions, _compat (API.md 4.1, 4.2, 4.6)."""

import uuid

import pytest

import proton
from proton import (Array, Described, UNDESCRIBED, UnmappedType, byte, char, decimal32,
                    decimal64, decimal128, float32, int32, short, symbol, timestamp, ubyte, uint,
                    ulong, ushort)
from proton import _compat


def test_version_and_language():
    assert proton.VERSION == (0, 37, 0)
    assert (proton.VERSION_MAJOR, proton.VERSION_MINOR, proton.VERSION_POINT) == (0, 37, 0)
    assert proton.API_LANGUAGE == "C" and proton.IMPLEMENTATION_LANGUAGE == "C"


@pytest.mark.parametrize("name,value", [
    ("PN_OK", 0), ("PN_EOS", -1), ("PN_ERR", -2), ("PN_OVERFLOW", -3), ("PN_UNDERFLOW", -4),
    ("PN_STATE_ERR", -5), ("PN_ARG_ERR", -6), ("PN_TIMEOUT", -7), ("PN_INTR", -8),
    ("PN_INPROGRESS", -9), ("PN_OUT_OF_MEMORY", -10), ("PN_ABORTED", -11),
    ("PN_NULL", 1), ("PN_BOOL", 2), ("PN_UBYTE", 3), ("PN_BYTE", 4), ("PN_USHORT", 5),
    ("PN_SHORT", 6), ("PN_UINT", 7), ("PN_INT", 8), ("PN_CHAR", 9), ("PN_ULONG", 10),
    ("PN_LONG", 11), ("PN_TIMESTAMP", 12), ("PN_FLOAT", 13), ("PN_DOUBLE", 14),
    ("PN_DECIMAL32", 15), ("PN_DECIMAL64", 16), ("PN_DECIMAL128", 17), ("PN_UUID", 18),
    ("PN_BINARY", 19), ("PN_STRING", 20), ("PN_SYMBOL", 21), ("PN_DESCRIBED", 22),
    ("PN_ARRAY", 23), ("PN_LIST", 24), ("PN_MAP", 25), ("PN_INVALID", -1),
    ("PN_DEFAULT_PRIORITY", 4), ("PN_MILLIS_MAX", 0xFFFFFFFF),
    ("PN_VERSION_MAJOR", 0), ("PN_VERSION_MINOR", 37), ("PN_VERSION_POINT", 0),
])
def test_constants_are_module_attributes(name, value):
    assert getattr(proton, name) == value
    assert type(getattr(proton, name)) is int


def test_all_names_exist_and_star_import_works():
    for name in proton.__all__:
        assert hasattr(proton, name), name
    ns = {}
    exec("from proton import *", ns)
    for name in ("Data", "Message", "symbol", "ulong", "Described", "Array", "UNDESCRIBED",
                 "ProtonException", "MessageException", "Timeout", "Interrupt",
                 "MessengerException", "int32", "float32", "decimal128", "char", "timestamp"):
        assert name in ns, name
    # not in 0.21's __all__, but public
    for name in ("DataException", "UnmappedType", "Constant", "EXCEPTIONS", "generate_uuid",
                 "secs2millis", "millis2secs", "timeout2millis", "millis2timeout",
                 "unicode2utf8", "utf82unicode", "dat2obj", "obj2dat", "VERSION", "VERSION_POINT"):
        assert hasattr(proton, name), name


def test_engine_names_are_not_faked_yet():
    for name in ("Url", "Connection", "Link", "Delivery", "Transport"):
        assert not hasattr(proton, name), name


def test_selectable_is_public_but_not_in_all():
    # As in 0.21: proton.Selectable exists, `from proton import *` does not bring it.
    assert isinstance(proton.Selectable, type)
    assert "Selectable" not in proton.__all__


def test_exception_hierarchy():
    P = proton
    assert issubclass(P.ProtonException, Exception)
    for cls in (P.Timeout, P.Interrupt, P.MessengerException, P.MessageException,
                P.DataException, P.ConnectionException, P.SessionException, P.LinkException,
                P.TransportException):
        assert cls.__bases__ == (P.ProtonException,), cls
    assert not issubclass(P.Timeout, P.MessengerException)
    assert not issubclass(P.Interrupt, P.MessengerException)
    assert P.SSLException.__bases__ == (P.TransportException,)
    assert P.SSLUnavailable.__bases__ == (P.SSLException,)
    assert P.EXCEPTIONS == {P.PN_TIMEOUT: P.Timeout, P.PN_INTR: P.Interrupt}


def test_constant_and_generate_uuid():
    c = proton.Constant("FOO")
    assert repr(c) == "FOO" and c.name == "FOO"
    assert repr(UNDESCRIBED) == "UNDESCRIBED"
    assert UNDESCRIBED is proton.UNDESCRIBED
    u = proton.generate_uuid()
    assert isinstance(u, uuid.UUID) and u.version == 4 and u != proton.generate_uuid()


@pytest.mark.parametrize("cls,base,value,text", [
    (ulong, int, 5, "ulong(5)"),
    (timestamp, int, 1700000000000, "timestamp(1700000000000)"),
    (symbol, str, "abc", "symbol('abc')"),
    (char, str, "x", "char('x')"),
    (byte, int, -3, "byte(-3)"),
    (short, int, -300, "short(-300)"),
    (int32, int, 7, "int32(7)"),
    (ubyte, int, 200, "ubyte(200)"),
    (ushort, int, 60000, "ushort(60000)"),
    (uint, int, 4000000000, "uint(4000000000)"),
    (float32, float, 1.5, "float32(1.5)"),
    (decimal32, int, 7, "decimal32(7)"),
    (decimal64, int, 8, "decimal64(8)"),
    (decimal128, bytes, b"0123456789abcdef", "decimal128(b'0123456789abcdef')"),
])
def test_wrapper_types(cls, base, value, text):
    v = cls(value)
    assert cls.__bases__ == (base,)
    assert repr(v) == text
    assert v == value and base(v) == value
    assert type(v) is cls


def test_described():
    d = Described(symbol("desc"), 5)
    assert (d.descriptor, d.value) == ("desc", 5)
    assert repr(d) == "Described(symbol('desc'), 5)"
    assert d == Described(symbol("desc"), 5)
    assert d != Described(symbol("desc"), 6)
    assert d != Described(symbol("other"), 5)
    assert d != (symbol("desc"), 5)
    assert not (d == 5)


def test_array():
    a = Array(UNDESCRIBED, proton.Data.INT, 1, 2, 3)
    assert repr(a) == "Array(UNDESCRIBED, 8, 1, 2, 3)"
    assert repr(Array(symbol("d"), proton.Data.STRING)) == "Array(symbol('d'), 20)"
    assert list(a) == [1, 2, 3] and a.elements == (1, 2, 3)
    assert (a.descriptor, a.type) == (UNDESCRIBED, 8)
    assert a == Array(UNDESCRIBED, proton.Data.INT, 1, 2, 3)
    assert a != Array(UNDESCRIBED, proton.Data.INT, 1, 2)
    assert a != Array(UNDESCRIBED, proton.Data.LONG, 1, 2, 3)
    assert a != Array(symbol("d"), proton.Data.INT, 1, 2, 3)
    assert a != [1, 2, 3]


def test_unmapped_type():
    u = UnmappedType("99")
    assert repr(u) == "UnmappedType(99)" and u.msg == "99"


def test_time_helpers():
    assert proton.secs2millis(1.5) == 1500 and type(proton.secs2millis(1.5)) is int
    assert proton.secs2millis(0.0019) == 1
    assert proton.millis2secs(1500) == 1.5 and type(proton.millis2secs(1500)) is float
    assert proton.timeout2millis(None) == proton.PN_MILLIS_MAX
    assert proton.timeout2millis(2) == 2000
    assert proton.millis2timeout(proton.PN_MILLIS_MAX) is None
    assert proton.millis2timeout(250) == 0.25


def test_string_helpers():
    assert proton.unicode2utf8(None) is None
    assert proton.unicode2utf8("h\u00e9") == "h\u00e9"
    assert proton.unicode2utf8("h\u00e9".encode("utf-8")) == "h\u00e9"
    with pytest.raises(UnicodeDecodeError):
        proton.unicode2utf8(b"\xff")
    with pytest.raises(UnicodeEncodeError):
        proton.unicode2utf8("\ud800")
    with pytest.raises(TypeError, match="Unrecognized string type: 5"):
        proton.unicode2utf8(5)
    assert proton.utf82unicode(None) is None
    assert proton.utf82unicode("x") == "x"
    assert proton.utf82unicode(b"h\xc3\xa9") == "h\u00e9"
    with pytest.raises(TypeError, match="Unrecognized string type"):
        proton.utf82unicode(5)


def test_compat():
    assert _compat.IS_PY3 and not _compat.IS_PY2
    assert _compat.INT_TYPES == (int,) and _compat.TEXT_TYPES == (str,)
    assert _compat.STRING_TYPES == (str,) and _compat.BINARY_TYPES == (bytes,)
    assert _compat.CLASS_TYPES == (type,)
    assert _compat.bin2str(b"ab") == b"ab"
    assert list(_compat.iteritems({"a": 1})) == [("a", 1)]
    assert _compat.unichar(0x263A) == "\u263a"
    assert _compat.str2bin("\u00e9") == b"\xe9"
    assert _compat.str2unicode("x") == "x"
    with pytest.raises(KeyError):
        _compat.raise_(KeyError)
    with pytest.raises(ValueError, match="boom"):
        _compat.raise_(ValueError, ValueError("boom"))
    assert proton._compat is _compat
