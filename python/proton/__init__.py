"""The python-qpid-proton 0.21 ``proton`` API (Message, Data, AMQP type wrappers, exceptions)
over libqpid-proton.so.11, through ctypes.

Legacy code written for 0.21 (``from proton import Message, Data, symbol, ...``) runs
unchanged, including that version's quirks (see the notes on each class). As in 0.21, every
``pn_*`` function and ``PN_*`` constant of the C binding is also a module attribute.
"""

import uuid

from . import _compat
from . import _cproton
from ._cproton import *  # noqa: F401,F403 (0.21 did `from cproton import *`)
from ._cproton import (PN_VERSION_MAJOR, PN_VERSION_MINOR, PN_VERSION_POINT, PN_TIMEOUT, PN_INTR,
                       PN_OVERFLOW, PN_MILLIS_MAX, PN_DEFAULT_PRIORITY)

long = int
unicode = str

VERSION_MAJOR = PN_VERSION_MAJOR
VERSION_MINOR = PN_VERSION_MINOR
VERSION_POINT = PN_VERSION_POINT
VERSION = (VERSION_MAJOR, VERSION_MINOR, VERSION_POINT)
API_LANGUAGE = "C"
IMPLEMENTATION_LANGUAGE = "C"


def generate_uuid():
    """A random (version 4) UUID."""
    return uuid.uuid4()


class Constant(object):
    """A named singleton; its repr is its name. Compare with ``is``."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


# ---------------------------------------------------------------------------------------------
# Exceptions


class ProtonException(Exception):
    """Root of the proton exceptions."""


class Timeout(ProtonException):
    """A blocking call timed out (PN_TIMEOUT)."""


class Interrupt(ProtonException):
    """A blocking call was interrupted (PN_INTR)."""


class MessengerException(ProtonException):
    """A Messenger call failed."""


class MessageException(ProtonException):
    """A Message call failed, or an application property key is not a string."""


class DataException(ProtonException):
    """A Data call failed."""


# Engine exceptions: part of 0.21's public names; nothing in this package raises them yet.
class ConnectionException(ProtonException):
    pass


class SessionException(ProtonException):
    pass


class LinkException(ProtonException):
    pass


class TransportException(ProtonException):
    pass


class SSLException(TransportException):
    pass


class SSLUnavailable(SSLException):
    pass


EXCEPTIONS = {PN_TIMEOUT: Timeout, PN_INTR: Interrupt}


def _raise_for(err, default, text):
    raise EXCEPTIONS.get(err, default)("[%s]: %s" % (err, text))


# ---------------------------------------------------------------------------------------------
# Messenger: the delivery statuses, Messenger and Subscription (messenger.py), Selectable
# (selectable.py). Url and the engine classes (Connection, Link, Delivery, ...) are not
# provided yet.
# ---------------------------------------------------------------------------------------------

# ---------------------------------------------------------------------------------------------
# Conversion helpers (module-level in 0.21)


def secs2millis(secs):
    return long(secs * 1000)


def millis2secs(millis):
    return float(millis) / 1000.0


def timeout2millis(secs):
    if secs is None:
        return PN_MILLIS_MAX
    return secs2millis(secs)


def millis2timeout(millis):
    if millis == PN_MILLIS_MAX:
        return None
    return millis2secs(millis)


def unicode2utf8(string):
    """Text for a C string argument: ``str`` or UTF-8 ``bytes`` -> ``str``; None stays None."""
    if string is None:
        return None
    if isinstance(string, str):
        # round trip: raises for text UTF-8 cannot carry (lone surrogates)
        return string.encode("utf-8").decode("utf-8")
    if isinstance(string, bytes):
        return string.decode("utf-8")
    raise TypeError("Unrecognized string type: %r (%s)" % (string, type(string)))


def utf82unicode(string):
    """Text from a C string result: ``str`` unchanged, ``bytes`` decoded; None stays None."""
    if string is None:
        return None
    if isinstance(string, str):
        return string
    if isinstance(string, bytes):
        return string.decode("utf8")
    raise TypeError("Unrecognized string type")


# ---------------------------------------------------------------------------------------------
# AMQP type wrappers


class UnmappedType:
    """What get_object returns for a type code it has no mapping for."""

    def __init__(self, msg):
        self.msg = msg

    def __repr__(self):
        return "UnmappedType(%s)" % self.msg


def _wrapper_type(name, base, doc):
    def __repr__(self):
        return "%s(%s)" % (name, base.__repr__(self))
    return type(name, (base,), {"__repr__": __repr__, "__doc__": doc, "__module__": __name__})


ulong = _wrapper_type("ulong", long, "AMQP ulong (unsigned 64-bit).")
timestamp = _wrapper_type("timestamp", long, "AMQP timestamp (ms since the Unix epoch).")
symbol = _wrapper_type("symbol", unicode, "AMQP symbol (ASCII).")
char = _wrapper_type("char", unicode, "AMQP char (one UTF-32 code point).")
byte = _wrapper_type("byte", int, "AMQP byte (signed 8-bit).")
short = _wrapper_type("short", int, "AMQP short (signed 16-bit).")
int32 = _wrapper_type("int32", int, "AMQP int (signed 32-bit).")
ubyte = _wrapper_type("ubyte", int, "AMQP ubyte (unsigned 8-bit).")
ushort = _wrapper_type("ushort", int, "AMQP ushort (unsigned 16-bit).")
uint = _wrapper_type("uint", long, "AMQP uint (unsigned 32-bit).")
float32 = _wrapper_type("float32", float, "AMQP float (IEEE 754 binary32).")
decimal32 = _wrapper_type("decimal32", int, "AMQP decimal32 (raw 32 bits).")
decimal64 = _wrapper_type("decimal64", long, "AMQP decimal64 (raw 64 bits).")
decimal128 = _wrapper_type("decimal128", bytes, "AMQP decimal128 (16 raw bytes).")


class Described(object):
    """An AMQP described value."""

    def __init__(self, descriptor, value):
        self.descriptor = descriptor
        self.value = value

    def __repr__(self):
        return "Described(%r, %r)" % (self.descriptor, self.value)

    def __eq__(self, o):
        if not isinstance(o, Described):
            return False
        return self.descriptor == o.descriptor and self.value == o.value


UNDESCRIBED = Constant("UNDESCRIBED")


class Array(object):
    """An AMQP array: ``Array(descriptor, type, *elements)``; UNDESCRIBED for no descriptor."""

    def __init__(self, descriptor, type, *elements):
        self.descriptor = descriptor
        self.type = type
        self.elements = elements

    def __iter__(self):
        return iter(self.elements)

    def __repr__(self):
        parts = [repr(self.descriptor), repr(self.type)] + [repr(e) for e in self.elements]
        return "Array(%s)" % ", ".join(parts)

    def __eq__(self, o):
        if not isinstance(o, Array):
            return False
        return (self.descriptor == o.descriptor and self.type == o.type
                and self.elements == o.elements)


# ---------------------------------------------------------------------------------------------
# Data


class Data:
    """A tree of AMQP values with a cursor, over a C ``pn_data_t``.

    ``Data(capacity=16)`` owns a new tree; ``Data(pointer)`` wraps one owned elsewhere (for
    example a message section). Errors raise DataException (Timeout/Interrupt for those codes).
    """

    NULL = PN_NULL
    BOOL = PN_BOOL
    UBYTE = PN_UBYTE
    BYTE = PN_BYTE
    USHORT = PN_USHORT
    SHORT = PN_SHORT
    UINT = PN_UINT
    INT = PN_INT
    CHAR = PN_CHAR
    ULONG = PN_ULONG
    LONG = PN_LONG
    TIMESTAMP = PN_TIMESTAMP
    FLOAT = PN_FLOAT
    DOUBLE = PN_DOUBLE
    DECIMAL32 = PN_DECIMAL32
    DECIMAL64 = PN_DECIMAL64
    DECIMAL128 = PN_DECIMAL128
    UUID = PN_UUID
    BINARY = PN_BINARY
    STRING = PN_STRING
    SYMBOL = PN_SYMBOL
    DESCRIBED = PN_DESCRIBED
    ARRAY = PN_ARRAY
    LIST = PN_LIST
    MAP = PN_MAP

    type_names = {
        NULL: "null", BOOL: "bool", BYTE: "byte", UBYTE: "ubyte", SHORT: "short",
        USHORT: "ushort", INT: "int", UINT: "uint", CHAR: "char", LONG: "long", ULONG: "ulong",
        TIMESTAMP: "timestamp", FLOAT: "float", DOUBLE: "double", DECIMAL32: "decimal32",
        DECIMAL64: "decimal64", DECIMAL128: "decimal128", UUID: "uuid", BINARY: "binary",
        STRING: "string", SYMBOL: "symbol", DESCRIBED: "described", ARRAY: "array",
        LIST: "list", MAP: "map",
    }

    # 0.21 declared this as a one-parameter classmethod, so Data.type_name(code) raises
    # TypeError; kept as it was (use Data.type_names[code]).
    @classmethod
    def type_name(type):
        return Data.type_names[type]

    def __init__(self, capacity=16):
        if type(capacity) in _compat.INT_TYPES:
            self._data = pn_data(capacity)
            self._free = True
        else:
            self._data = capacity
            self._free = False

    def __del__(self):
        if getattr(self, "_free", False) and hasattr(self, "_data"):
            try:
                pn_data_free(self._data)
            except Exception:  # interpreter shutdown
                pass
            del self._data

    def _check(self, err):
        if err < 0:
            _raise_for(err, DataException, pn_error_text(pn_data_error(self._data)))
        return err

    # navigation

    def clear(self):
        pn_data_clear(self._data)

    def rewind(self):
        pn_data_rewind(self._data)

    def next(self):
        """Advance to the next sibling: its type code, or None if there is none."""
        if pn_data_next(self._data):
            return self.type()
        return None

    def prev(self):
        """Back to the previous sibling: its type code, or None if there is none."""
        if pn_data_prev(self._data):
            return self.type()
        return None

    def enter(self):
        return pn_data_enter(self._data)

    def exit(self):
        return pn_data_exit(self._data)

    def lookup(self, name):
        return pn_data_lookup(self._data, name)

    def narrow(self):
        pn_data_narrow(self._data)

    def widen(self):
        pn_data_widen(self._data)

    def type(self):
        """Type code of the current node, or None if there is none."""
        t = pn_data_type(self._data)
        return None if t == -1 else t

    # encoding

    def encoded_size(self):
        return pn_data_encoded_size(self._data)

    def encode(self):
        """The AMQP encoding of the whole tree, as bytes."""
        size = 1024
        while True:
            n, encoded = pn_data_encode(self._data, size)
            if n == PN_OVERFLOW:
                size *= 2
            elif n >= 0:
                return encoded
            else:
                self._check(n)

    def decode(self, encoded):
        """Decode one value from ``encoded``; returns the number of bytes consumed."""
        return self._check(pn_data_decode(self._data, encoded))

    # put_*

    def put_list(self):
        self._check(pn_data_put_list(self._data))

    def put_map(self):
        self._check(pn_data_put_map(self._data))

    def put_array(self, described, element_type):
        self._check(pn_data_put_array(self._data, described, element_type))

    def put_described(self):
        self._check(pn_data_put_described(self._data))

    def put_null(self):
        self._check(pn_data_put_null(self._data))

    def put_bool(self, b):
        self._check(pn_data_put_bool(self._data, b))

    def put_ubyte(self, ub):
        self._check(pn_data_put_ubyte(self._data, ub))

    def put_byte(self, b):
        self._check(pn_data_put_byte(self._data, b))

    def put_ushort(self, us):
        self._check(pn_data_put_ushort(self._data, us))

    def put_short(self, s):
        self._check(pn_data_put_short(self._data, s))

    def put_uint(self, ui):
        self._check(pn_data_put_uint(self._data, ui))

    def put_int(self, i):
        self._check(pn_data_put_int(self._data, i))

    def put_char(self, c):
        self._check(pn_data_put_char(self._data, ord(c)))

    def put_ulong(self, ul):
        self._check(pn_data_put_ulong(self._data, ul))

    def put_long(self, i64):
        self._check(pn_data_put_long(self._data, i64))

    def put_timestamp(self, t):
        self._check(pn_data_put_timestamp(self._data, t))

    def put_float(self, f):
        self._check(pn_data_put_float(self._data, f))

    def put_double(self, d):
        self._check(pn_data_put_double(self._data, d))

    def put_decimal32(self, d):
        self._check(pn_data_put_decimal32(self._data, d))

    def put_decimal64(self, d):
        self._check(pn_data_put_decimal64(self._data, d))

    def put_decimal128(self, d):
        self._check(pn_data_put_decimal128(self._data, d))

    def put_uuid(self, u):
        self._check(pn_data_put_uuid(self._data, u.bytes))

    def put_binary(self, b):
        self._check(pn_data_put_binary(self._data, b))

    def put_memoryview(self, mv):
        self.put_binary(mv.tobytes())

    def put_buffer(self, buff):
        self.put_binary(bytes(buff))

    def put_string(self, s):
        self._check(pn_data_put_string(self._data, s.encode("utf8")))

    def put_symbol(self, s):
        self._check(pn_data_put_symbol(self._data, s.encode("ascii")))

    # get_*

    def get_list(self):
        return pn_data_get_list(self._data)

    def get_map(self):
        return pn_data_get_map(self._data)

    def get_array(self):
        """``(count, described, element type or None)`` of the current array."""
        count = pn_data_get_array(self._data)
        described = pn_data_is_array_described(self._data)
        t = pn_data_get_array_type(self._data)
        return count, described, (None if t == -1 else t)

    def is_described(self):
        return pn_data_is_described(self._data)

    def is_null(self):
        return pn_data_is_null(self._data)

    def get_bool(self):
        return pn_data_get_bool(self._data)

    def get_ubyte(self):
        return ubyte(pn_data_get_ubyte(self._data))

    def get_byte(self):
        return byte(pn_data_get_byte(self._data))

    def get_ushort(self):
        return ushort(pn_data_get_ushort(self._data))

    def get_short(self):
        return short(pn_data_get_short(self._data))

    def get_uint(self):
        return uint(pn_data_get_uint(self._data))

    def get_int(self):
        return int32(pn_data_get_int(self._data))

    def get_char(self):
        return char(_compat.unichar(pn_data_get_char(self._data)))

    def get_ulong(self):
        return ulong(pn_data_get_ulong(self._data))

    def get_long(self):
        return long(pn_data_get_long(self._data))

    def get_timestamp(self):
        return timestamp(pn_data_get_timestamp(self._data))

    def get_float(self):
        return float32(pn_data_get_float(self._data))

    def get_double(self):
        return pn_data_get_double(self._data)

    def get_decimal32(self):
        return decimal32(pn_data_get_decimal32(self._data))

    def get_decimal64(self):
        return decimal64(pn_data_get_decimal64(self._data))

    def get_decimal128(self):
        return decimal128(pn_data_get_decimal128(self._data))

    def get_uuid(self):
        """The current uuid as uuid.UUID, or None if the current node is not a uuid."""
        if pn_data_type(self._data) != Data.UUID:
            return None
        return uuid.UUID(bytes=pn_data_get_uuid(self._data))

    def get_binary(self):
        return pn_data_get_binary(self._data)

    def get_string(self):
        return pn_data_get_string(self._data).decode("utf8")

    def get_symbol(self):
        return symbol(pn_data_get_symbol(self._data).decode("ascii"))

    # whole-tree operations

    def copy(self, src):
        self._check(pn_data_copy(self._data, src._data))

    def format(self):
        """The C formatter's text for the whole tree."""
        size = 16
        while True:
            err, text = pn_data_format(self._data, size)
            if err == PN_OVERFLOW:
                size *= 2
                continue
            self._check(err)
            return text

    def dump(self):
        pn_data_dump(self._data)

    # Python containers

    def put_dict(self, d):
        self.put_map()
        self.enter()
        try:
            for k, v in d.items():
                self.put_object(k)
                self.put_object(v)
        finally:
            self.exit()

    def get_dict(self):
        if not self.enter():
            return None
        try:
            result = {}
            while self.next():
                key = self.get_object()
                result[key] = self.get_object() if self.next() else None
        finally:
            self.exit()
        return result

    def put_sequence(self, s):
        self.put_list()
        self.enter()
        try:
            for o in s:
                self.put_object(o)
        finally:
            self.exit()

    def get_sequence(self):
        if not self.enter():
            return None
        try:
            result = []
            while self.next():
                result.append(self.get_object())
        finally:
            self.exit()
        return result

    def get_py_described(self):
        if not self.enter():
            return None
        try:
            self.next()
            descriptor = self.get_object()
            self.next()
            value = self.get_object()
        finally:
            self.exit()
        return Described(descriptor, value)

    def put_py_described(self, d):
        self.put_described()
        self.enter()
        try:
            self.put_object(d.descriptor)
            self.put_object(d.value)
        finally:
            self.exit()

    def get_py_array(self):
        count, described, element_type = self.get_array()
        if element_type is None:
            return None
        if not self.enter():
            return None
        try:
            if described:
                self.next()
                descriptor = self.get_object()
            else:
                descriptor = UNDESCRIBED
            elements = []
            while self.next():
                elements.append(self.get_object())
        finally:
            self.exit()
        return Array(descriptor, element_type, *elements)

    def put_py_array(self, a):
        described = a.descriptor is not UNDESCRIBED
        self.put_array(described, a.type)
        self.enter()
        try:
            if described:
                self.put_object(a.descriptor)
            for e in a.elements:
                self.put_object(e)
        finally:
            self.exit()

    # Looked up by the object's exact class: subclasses (OrderedDict, bytearray, bool
    # subclasses of int...) are not found and raise KeyError, as in 0.21.
    put_mappings = {
        None.__class__: lambda self, _: self.put_null(),
        bool: put_bool,
        ubyte: put_ubyte,
        ushort: put_ushort,
        uint: put_uint,
        ulong: put_ulong,
        byte: put_byte,
        short: put_short,
        int32: put_int,
        long: put_long,
        float32: put_float,
        float: put_double,
        decimal32: put_decimal32,
        decimal64: put_decimal64,
        decimal128: put_decimal128,
        char: put_char,
        timestamp: put_timestamp,
        uuid.UUID: put_uuid,
        bytes: put_binary,
        unicode: put_string,
        symbol: put_symbol,
        list: put_sequence,
        tuple: put_sequence,
        dict: put_dict,
        Described: put_py_described,
        Array: put_py_array,
        memoryview: put_memoryview,
    }

    get_mappings = {
        NULL: lambda self: None,
        BOOL: get_bool,
        BYTE: get_byte,
        UBYTE: get_ubyte,
        SHORT: get_short,
        USHORT: get_ushort,
        INT: get_int,
        UINT: get_uint,
        CHAR: get_char,
        LONG: get_long,
        ULONG: get_ulong,
        TIMESTAMP: get_timestamp,
        FLOAT: get_float,
        DOUBLE: get_double,
        DECIMAL32: get_decimal32,
        DECIMAL64: get_decimal64,
        DECIMAL128: get_decimal128,
        UUID: get_uuid,
        BINARY: get_binary,
        STRING: get_string,
        SYMBOL: get_symbol,
        DESCRIBED: get_py_described,
        ARRAY: get_py_array,
        LIST: get_sequence,
        MAP: get_dict,
    }

    def put_object(self, obj):
        """Put a Python value, mapped by its exact class (KeyError for an unmapped class)."""
        putter = self.put_mappings[obj.__class__]
        putter(self, obj)

    def get_object(self):
        """The current node as a Python value (None if there is no current node)."""
        t = self.type()
        if t is None:
            return None
        getter = self.get_mappings.get(t)
        if getter is None:
            return UnmappedType(str(t))
        return getter(self)


def dat2obj(dimpl):
    """The first value of a C data tree as a Python object (None for a NULL pointer)."""
    if dimpl:
        d = Data(dimpl)
        d.rewind()
        d.next()
        obj = d.get_object()
        d.rewind()
        return obj


def obj2dat(obj, dimpl):
    """Put a Python object into a C data tree (nothing for None)."""
    if obj is not None:
        Data(dimpl).put_object(obj)


# ---------------------------------------------------------------------------------------------
# Message


def _inspect_quote(b):
    """The C inspector's quoting: printable ASCII as is, other bytes as \\xhh."""
    return "".join(chr(c) if 0x20 <= c < 0x7F else "\\x%02x" % c for c in b)


class Message(object):
    """A mutable AMQP message.

    ``instructions``, ``annotations``, ``properties`` and ``body`` are plain attributes, written
    to the C message only when it is encoded (or sent) and read back after a decode. Every
    other field is a property over the C message.
    """

    DEFAULT_PRIORITY = PN_DEFAULT_PRIORITY

    def __init__(self, body=None, **kwargs):
        self._msg = pn_message()
        self._id = Data(pn_message_id(self._msg))
        self._correlation_id = Data(pn_message_correlation_id(self._msg))
        self.instructions = None
        self.annotations = None
        self.properties = None
        self.body = body
        for k, v in kwargs.items():
            getattr(self, k)  # AttributeError for a name Message does not have
            setattr(self, k, v)

    def __del__(self):
        if hasattr(self, "_msg"):
            try:
                pn_message_free(self._msg)
            except Exception:  # interpreter shutdown
                pass
            del self._msg

    def _check(self, err):
        if err < 0:
            _raise_for(err, MessageException, pn_error_text(pn_message_error(self._msg)))
        return err

    def _check_property_keys(self):
        for k in list(self.properties.keys()):
            if not isinstance(k, (bytes, str)):
                raise MessageException("Application property key is not unicode string: key=%s %s"
                                       % (str(k), type(k)))
            if isinstance(k, bytes):
                self.properties[_compat.bin2str(k)] = self.properties.pop(k)

    def _sections(self):
        return (Data(pn_message_instructions(self._msg)), Data(pn_message_annotations(self._msg)),
                Data(pn_message_properties(self._msg)), Data(pn_message_body(self._msg)))

    def _pre_encode(self):
        inst, ann, props, body = self._sections()
        inst.clear()
        if self.instructions is not None:
            inst.put_object(self.instructions)
        ann.clear()
        if self.annotations is not None:
            ann.put_object(self.annotations)
        props.clear()
        if self.properties is not None:
            self._check_property_keys()
            props.put_object(self.properties)
        body.clear()
        if self.body is not None:
            body.put_object(self.body)

    def _post_decode(self):
        inst, ann, props, body = self._sections()
        self.instructions = inst.get_object() if inst.next() else None
        self.annotations = ann.get_object() if ann.next() else None
        self.properties = props.get_object() if props.next() else None
        self.body = body.get_object() if body.next() else None

    def clear(self):
        """Reset every field to its default."""
        pn_message_clear(self._msg)
        self.instructions = None
        self.annotations = None
        self.properties = None
        self.body = None

    # header

    @property
    def inferred(self):
        """Whether a bytes body goes out as a Data section and a list body as AmqpSequence."""
        return pn_message_is_inferred(self._msg)

    @inferred.setter
    def inferred(self, value):
        self._check(pn_message_set_inferred(self._msg, bool(value)))

    @property
    def durable(self):
        return pn_message_is_durable(self._msg)

    @durable.setter
    def durable(self, value):
        self._check(pn_message_set_durable(self._msg, bool(value)))

    @property
    def priority(self):
        return pn_message_get_priority(self._msg)

    @priority.setter
    def priority(self, value):
        self._check(pn_message_set_priority(self._msg, value))

    @property
    def ttl(self):
        """Time to live in seconds (float); 0 means none."""
        return millis2secs(pn_message_get_ttl(self._msg))

    @ttl.setter
    def ttl(self, value):
        self._check(pn_message_set_ttl(self._msg, secs2millis(value)))

    @property
    def first_acquirer(self):
        return pn_message_is_first_acquirer(self._msg)

    @first_acquirer.setter
    def first_acquirer(self, value):
        self._check(pn_message_set_first_acquirer(self._msg, bool(value)))

    @property
    def delivery_count(self):
        return pn_message_get_delivery_count(self._msg)

    @delivery_count.setter
    def delivery_count(self, value):
        self._check(pn_message_set_delivery_count(self._msg, value))

    # properties

    @property
    def id(self):
        """The message-id (a plain int is stored as ulong)."""
        return self._id.get_object()

    @id.setter
    def id(self, value):
        if type(value) in _compat.INT_TYPES:
            value = ulong(value)
        self._id.rewind()
        self._id.put_object(value)

    @property
    def user_id(self):
        """The user-id as bytes (b'' when unset); set with bytes or None."""
        return pn_message_get_user_id(self._msg)

    @user_id.setter
    def user_id(self, value):
        self._check(pn_message_set_user_id(self._msg, value))

    @property
    def address(self):
        return utf82unicode(pn_message_get_address(self._msg))

    @address.setter
    def address(self, value):
        self._check(pn_message_set_address(self._msg, unicode2utf8(value)))

    @property
    def subject(self):
        return utf82unicode(pn_message_get_subject(self._msg))

    @subject.setter
    def subject(self, value):
        self._check(pn_message_set_subject(self._msg, unicode2utf8(value)))

    @property
    def reply_to(self):
        return utf82unicode(pn_message_get_reply_to(self._msg))

    @reply_to.setter
    def reply_to(self, value):
        self._check(pn_message_set_reply_to(self._msg, unicode2utf8(value)))

    @property
    def correlation_id(self):
        """The correlation-id (a plain int is stored as ulong)."""
        return self._correlation_id.get_object()

    @correlation_id.setter
    def correlation_id(self, value):
        if type(value) in _compat.INT_TYPES:
            value = ulong(value)
        self._correlation_id.rewind()
        self._correlation_id.put_object(value)

    @property
    def content_type(self):
        """The content-type as a symbol; unset reads as symbol('None') (as in 0.21)."""
        return symbol(utf82unicode(pn_message_get_content_type(self._msg)))

    @content_type.setter
    def content_type(self, value):
        self._check(pn_message_set_content_type(self._msg, unicode2utf8(value)))

    @property
    def content_encoding(self):
        """The content-encoding as a symbol; unset reads as symbol('None') (as in 0.21)."""
        return symbol(utf82unicode(pn_message_get_content_encoding(self._msg)))

    @content_encoding.setter
    def content_encoding(self, value):
        self._check(pn_message_set_content_encoding(self._msg, unicode2utf8(value)))

    @property
    def expiry_time(self):
        """Absolute expiry time in seconds since the epoch (float); 0 means none."""
        return millis2secs(pn_message_get_expiry_time(self._msg))

    @expiry_time.setter
    def expiry_time(self, value):
        self._check(pn_message_set_expiry_time(self._msg, secs2millis(value)))

    @property
    def creation_time(self):
        """Creation time in seconds since the epoch (float); 0 means none."""
        return millis2secs(pn_message_get_creation_time(self._msg))

    @creation_time.setter
    def creation_time(self, value):
        self._check(pn_message_set_creation_time(self._msg, secs2millis(value)))

    @property
    def group_id(self):
        return utf82unicode(pn_message_get_group_id(self._msg))

    @group_id.setter
    def group_id(self, value):
        self._check(pn_message_set_group_id(self._msg, unicode2utf8(value)))

    @property
    def group_sequence(self):
        return pn_message_get_group_sequence(self._msg)

    @group_sequence.setter
    def group_sequence(self, value):
        self._check(pn_message_set_group_sequence(self._msg, value))

    @property
    def reply_to_group_id(self):
        return utf82unicode(pn_message_get_reply_to_group_id(self._msg))

    @reply_to_group_id.setter
    def reply_to_group_id(self, value):
        self._check(pn_message_set_reply_to_group_id(self._msg, unicode2utf8(value)))

    # encoding

    def encode(self):
        """The message's AMQP encoding, as bytes."""
        self._pre_encode()
        size = 16
        while True:
            err, encoded = pn_message_encode(self._msg, size)
            if err == PN_OVERFLOW:
                size *= 2
                continue
            self._check(err)
            return encoded

    def decode(self, data):
        """Replace the whole message with the one encoded in ``data``.

        The message is cleared first, as the C library of the 0.21 era did (0.37's
        pn_message_decode keeps the fields and sections the encoding does not mention).
        """
        pn_message_clear(self._msg)
        self._check(pn_message_decode(self._msg, data))
        self._post_decode()

    # Message.send(sender, tag) and Message.recv(link) need the engine Link API: not yet.

    def __repr__(self):
        """The C message inspector's text: ``Message{address="...", durable=1, ...}``.

        Like 0.21 it shows the C message, so instructions/annotations/properties/body appear
        only once they were written to it (encode) or read into it (decode).
        """
        if _cproton.HAS_INSPECT:
            err, text = _cproton.inspect(self._msg)
            self._check(err)
            return text
        return self._inspect()

    def _inspect(self):
        """The inspector text built from the C fields (for a library without pn_inspect)."""
        m = self._msg
        parts = []

        def text(name, value):
            if value is not None:
                parts.append('%s="%s"' % (name, _inspect_quote(value.encode("utf-8", "surrogateescape"))))

        def number(name, value, default=0):
            if value != default:
                parts.append("%s=%d" % (name, value))

        def flag(name, value):
            if value:
                parts.append("%s=1" % name)

        def data(name, pointer, skip_null):
            d = Data(pointer)
            if pn_data_size(pointer) == 0:
                return
            if skip_null:
                point = pn_data_point(pointer)
                d.rewind()
                null = d.next() in (None, Data.NULL)
                pn_data_restore(pointer, point)
                if null:
                    return
            parts.append("%s=%s" % (name, d.format()))

        text("address", pn_message_get_address(m))
        flag("durable", pn_message_is_durable(m))
        number("priority", pn_message_get_priority(m), PN_DEFAULT_PRIORITY)
        number("ttl", pn_message_get_ttl(m))
        flag("first_acquirer", pn_message_is_first_acquirer(m))
        number("delivery_count", pn_message_get_delivery_count(m))
        data("id", pn_message_id(m), True)
        uid = _cproton.raw["pn_message_get_user_id"](m)
        if uid.start:
            parts.append('user_id="%s"' % _inspect_quote(_cproton._bytes_out(uid)))
        text("subject", pn_message_get_subject(m))
        text("reply_to", pn_message_get_reply_to(m))
        data("correlation_id", pn_message_correlation_id(m), True)
        text("content_type", pn_message_get_content_type(m))
        text("content_encoding", pn_message_get_content_encoding(m))
        number("expiry_time", pn_message_get_expiry_time(m))
        number("creation_time", pn_message_get_creation_time(m))
        text("group_id", pn_message_get_group_id(m))
        number("group_sequence", pn_message_get_group_sequence(m))
        text("reply_to_group_id", pn_message_get_reply_to_group_id(m))
        flag("inferred", pn_message_is_inferred(m))
        data("instructions", pn_message_instructions(m), False)
        data("annotations", pn_message_annotations(m), False)
        data("properties", pn_message_properties(m), False)
        data("body", pn_message_body(m), False)
        return "Message{%s}" % ", ".join(parts)


from ._messenger import (PENDING, ACCEPTED, REJECTED, RELEASED, MODIFIED, ABORTED,  # noqa: E402
                         SETTLED, AUTOMATIC, MANUAL, STATUSES, Messenger, Subscription)
from ._ssl import SSL, SSLDomain, SSLSessionDetails  # noqa: E402
from ._selectable import Selectable  # noqa: E402

__all__ = [
    "API_LANGUAGE", "IMPLEMENTATION_LANGUAGE", "UNDESCRIBED", "Array", "Data", "Described",
    "Message", "MessageException", "MessengerException", "ProtonException", "VERSION_MAJOR",
    "VERSION_MINOR", "SessionException", "SSLUnavailable", "SSLException", "Timeout", "Interrupt",
    "TransportException", "char", "symbol", "timestamp", "ulong", "byte", "short", "int32",
    "ubyte", "ushort", "uint", "float32", "decimal32", "decimal64", "decimal128",
    "ABORTED", "ACCEPTED", "AUTOMATIC", "PENDING", "MANUAL", "REJECTED", "RELEASED", "MODIFIED",
    "SETTLED", "Messenger", "SSL", "SSLDomain", "SSLSessionDetails",
    # Url and the engine classes join this list when they are implemented.
]
