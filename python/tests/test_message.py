"""proton.Message (API.md 4.4, 3.13) and the pn_message_* functions behind it."""

import uuid

import pytest

import proton
from proton import (Data, Described, Message, MessageException, char, int32, symbol, timestamp,
                    ulong)
from proton import _cproton

DEFAULTS = {
    "inferred": False, "durable": False, "priority": 4, "ttl": 0.0, "first_acquirer": False,
    "delivery_count": 0, "id": None, "user_id": b"", "address": None, "subject": None,
    "reply_to": None, "correlation_id": None, "content_type": "None",
    "content_encoding": "None", "expiry_time": 0.0, "creation_time": 0.0, "group_id": None,
    "group_sequence": 0, "reply_to_group_id": None, "instructions": None, "annotations": None,
    "properties": None, "body": None,
}

DEFAULT_ENCODING = bytes.fromhex("0053704500537345")


def fields(m):
    return dict((k, getattr(m, k)) for k in DEFAULTS)


def full_message():
    m = Message()
    m.address = "amqp://x/y"
    m.durable = True
    m.priority = 7
    m.ttl = 1.5
    m.first_acquirer = True
    m.delivery_count = 3
    m.id = 42
    m.user_id = b"usr"
    m.subject = "subj"
    m.reply_to = "rt"
    m.correlation_id = "cid"
    m.content_type = "text/plain"
    m.content_encoding = "utf8"
    m.expiry_time = 1.0
    m.creation_time = 2.0
    m.group_id = "g"
    m.group_sequence = 5
    m.reply_to_group_id = "rtg"
    m.inferred = True
    m.instructions = {symbol("i"): 3}
    m.annotations = {symbol("a"): 2}
    m.properties = {"k": 1}
    m.body = "hello"
    return m


# ---------------------------------------------------------------------------------------------
# construction and defaults


def test_defaults():
    m = Message()
    assert fields(m) == DEFAULTS
    assert type(m.content_type) is symbol and repr(m.content_type) == "symbol('None')"
    assert type(m.content_encoding) is symbol
    assert type(m.ttl) is float and type(m.expiry_time) is float and type(m.creation_time) is float
    assert type(m.user_id) is bytes
    assert Message.DEFAULT_PRIORITY == 4 == proton.PN_DEFAULT_PRIORITY


def test_constructor_body_and_kwargs():
    m = Message("b", address="a", durable=1, id=5, properties={"p": None})
    assert m.body == "b" and m.address == "a" and m.durable is True
    assert m.id == 5 and type(m.id) is ulong and m.properties == {"p": None}
    assert Message(body=[1]).body == [1]
    with pytest.raises(AttributeError):
        Message(no_such_field=1)


# ---------------------------------------------------------------------------------------------
# header fields


def test_flags_take_truthiness():
    m = Message()
    for name in ("durable", "first_acquirer", "inferred"):
        setattr(m, name, "yes")
        assert getattr(m, name) is True
        setattr(m, name, 0)
        assert getattr(m, name) is False
        setattr(m, name, [1])
        assert getattr(m, name) is True


def test_priority():
    m = Message()
    m.priority = 9
    assert m.priority == 9 and proton.pn_message_get_priority(m._msg) == 9
    m.priority = 255
    assert m.priority == 255
    for bad, exc in ((256, OverflowError), (-1, OverflowError), (1.0, TypeError), ("1", TypeError)):
        with pytest.raises(exc):
            m.priority = bad
    assert m.priority == 255


def test_ttl_is_seconds_over_milliseconds():
    m = Message()
    m.ttl = 1.5
    assert proton.pn_message_get_ttl(m._msg) == 1500
    assert m.ttl == 1.5
    m.ttl = 0.0019  # long(s * 1000): truncated
    assert proton.pn_message_get_ttl(m._msg) == 1 and m.ttl == 0.001
    m.ttl = 4294967.295
    assert proton.pn_message_get_ttl(m._msg) == 4294967295
    with pytest.raises(OverflowError):
        m.ttl = -1
    with pytest.raises(OverflowError):
        m.ttl = 4294967.296


def test_delivery_count_and_group_sequence():
    m = Message()
    m.delivery_count = 2 ** 32 - 1
    m.group_sequence = 2 ** 32 - 1
    assert m.delivery_count == 2 ** 32 - 1 and m.group_sequence == 2 ** 32 - 1
    with pytest.raises(OverflowError):
        m.delivery_count = -1
    with pytest.raises(OverflowError):
        m.group_sequence = 2 ** 32  # pn_sequence_t is uint32_t in 0.37


# ---------------------------------------------------------------------------------------------
# properties fields


@pytest.mark.parametrize("field", ["address", "subject", "reply_to", "group_id",
                                   "reply_to_group_id"])
def test_string_fields(field):
    m = Message()
    setattr(m, field, "h\u00e9 there")
    assert getattr(m, field) == "h\u00e9 there" and type(getattr(m, field)) is str
    setattr(m, field, b"h\xc3\xa9")  # bytes go through unicode2utf8
    assert getattr(m, field) == "h\u00e9"
    setattr(m, field, "")
    assert getattr(m, field) == ""
    setattr(m, field, None)
    assert getattr(m, field) is None
    with pytest.raises(TypeError, match="Unrecognized string type"):
        setattr(m, field, 5)
    with pytest.raises(UnicodeDecodeError):
        setattr(m, field, b"\xff")


@pytest.mark.parametrize("field", ["content_type", "content_encoding"])
def test_symbol_fields(field):
    m = Message()
    assert getattr(m, field) == symbol("None")
    setattr(m, field, "text/plain")
    assert getattr(m, field) == "text/plain" and type(getattr(m, field)) is symbol
    setattr(m, field, None)
    assert getattr(m, field) == "None"
    assert getattr(proton, "pn_message_get_" + field)(m._msg) is None


@pytest.mark.parametrize("field", ["expiry_time", "creation_time"])
def test_times_are_seconds_over_milliseconds(field):
    m = Message()
    setattr(m, field, 1700000000.5)
    assert getattr(proton, "pn_message_get_" + field)(m._msg) == 1700000000500
    assert getattr(m, field) == 1700000000.5
    setattr(m, field, -2.5)
    assert getattr(m, field) == -2.5
    with pytest.raises(TypeError):
        setattr(m, field, None)


@pytest.mark.parametrize("field", ["id", "correlation_id"])
def test_ids(field):
    m = Message()
    view = getattr(proton, "pn_message_" + field)(m._msg)
    setattr(m, field, 5)
    assert getattr(m, field) == 5 and type(getattr(m, field)) is ulong
    assert proton.pn_data_format(view, 64) == (0, "5")
    d = Data(view)
    d.rewind()
    assert d.next() == Data.ULONG
    for value, pytype in (("str-id", str), (b"bin-id", bytes), (uuid.UUID(int=9), uuid.UUID),
                          (symbol("sym"), symbol), (ulong(7), ulong), (int32(-3), int32)):
        setattr(m, field, value)
        assert getattr(m, field) == value and type(getattr(m, field)) is pytype
        assert proton.pn_data_size(view) == 1  # set again: replaced, not appended
    setattr(m, field, None)
    assert getattr(m, field) is None
    with pytest.raises(OverflowError):
        setattr(m, field, -1)  # int -> ulong
    with pytest.raises(KeyError):
        setattr(m, field, bytearray(b"x"))


def test_user_id_is_bytes_only():
    m = Message()
    m.user_id = b"me\x00"
    assert m.user_id == b"me\x00" and type(m.user_id) is bytes
    with pytest.raises(TypeError):
        m.user_id = "me"
    assert m.user_id == b"me\x00"
    m.user_id = None
    assert m.user_id == b""


# ---------------------------------------------------------------------------------------------
# sections


def test_sections_are_plain_attributes_written_at_encode():
    m = Message(body="x", properties={"a": 1})
    body = Data(proton.pn_message_body(m._msg))
    assert body.next() is None  # nothing in C before encode
    m.encode()
    body.rewind()
    assert body.next() == Data.STRING and body.get_string() == "x"
    props = Data(proton.pn_message_properties(m._msg))
    props.rewind()
    props.next()
    assert props.get_object() == {"a": 1}
    m.body = None
    m.properties = None
    m.encode()
    assert proton.pn_data_size(body._data) == 0 and proton.pn_data_size(props._data) == 0


def test_application_property_keys():
    m = Message(properties={1: "x"})
    with pytest.raises(MessageException) as info:
        m.encode()
    assert str(info.value) == "Application property key is not unicode string: key=1 <class 'int'>"
    m.properties = {symbol("s"): 1}  # a str subclass passes, and goes out as a symbol key
    m2 = Message()
    m2.decode(m.encode())
    assert m2.properties == {"s": 1} and type(list(m2.properties)[0]) is symbol
    m.properties = {b"b": 1}  # bytes keys: bin2str is the identity on Python 3
    m2.decode(m.encode())
    assert m2.properties == {b"b": 1}
    m.properties = {None: 1}
    with pytest.raises(MessageException, match="key=None <class 'NoneType'>"):
        m.encode()


def test_encode_default_message():
    assert Message().encode() == DEFAULT_ENCODING


@pytest.mark.parametrize("inferred,body,section", [
    (False, b"hi", "005377a0026869"), (True, b"hi", "005375a0026869"),
    (False, [1], "005377d00000000600000001 5501"), (True, [1], "005376d000000006000000015501"),
    (True, "s", "005377a10173"), (True, None, ""),
])
def test_body_sections(inferred, body, section):
    m = Message(body=body, inferred=inferred)
    enc = m.encode()
    assert enc == DEFAULT_ENCODING + bytes.fromhex(section.replace(" ", ""))
    m2 = Message()
    m2.decode(enc)
    assert m2.body == body and m2.inferred == (inferred and body in (b"hi", [1]))


def test_full_message_roundtrip():
    m = full_message()
    enc = m.encode()
    m2 = Message()
    m2.decode(enc)
    got = fields(m2)
    assert got == {
        "inferred": False, "durable": True, "priority": 7, "ttl": 1.5, "first_acquirer": True,
        "delivery_count": 3, "id": 42, "user_id": b"usr", "address": "amqp://x/y",
        "subject": "subj", "reply_to": "rt", "correlation_id": "cid",
        "content_type": "text/plain", "content_encoding": "utf8", "expiry_time": 1.0,
        "creation_time": 2.0, "group_id": "g", "group_sequence": 5,
        "reply_to_group_id": "rtg", "instructions": {"i": 3}, "annotations": {"a": 2},
        "properties": {"k": 1}, "body": "hello"}
    assert type(m2.id) is ulong
    assert m2.encode() == enc


def test_full_message_exact_bytes():
    # proton-c 0.37's encoding (maps and sequences as map32/list32, header and properties as
    # list8, sections in the order of API.md 3.13)
    assert full_message().encode().hex() == (
        "005370c00c0541500770000005dc415203"
        "005371d10000000900000002a301695503"
        "005372d10000000900000002a301615502"
        "005373c0510d532aa003757372a10a616d71703a2f2f782f79a1047375626aa1027274a103636964"
        "a30a746578742f706c61696ea304757466388300000000000003e88300000000000007d0a10167"
        "5205a103727467"
        "005374d10000000900000002a1016b5501"
        "005377a10568656c6c6f")


def test_decode_replaces_the_whole_message():
    m = full_message()
    m.encode()
    m.decode(DEFAULT_ENCODING)
    assert fields(m) == DEFAULTS
    m = Message(body=5)
    m.encode()
    m.decode(DEFAULT_ENCODING)
    assert m.body is None
    assert proton.pn_data_size(proton.pn_message_body(m._msg)) == 0


def test_decode_accepts_bytes_like():
    enc = Message(body="x").encode()
    for buf in (enc, bytearray(enc), memoryview(enc)):
        m = Message()
        m.decode(buf)
        assert m.body == "x"


def test_decode_reads_every_section():
    # delivery-annotations, message-annotations, application-properties and an AmqpValue body
    enc = full_message().encode()
    m = Message()
    m.decode(enc)
    assert (m.instructions, m.annotations, m.properties, m.body) == (
        {"i": 3}, {"a": 2}, {"k": 1}, "hello")
    assert [type(k) for k in m.instructions] == [symbol]


def test_clear():
    m = full_message()
    m.encode()
    m.clear()
    assert fields(m) == DEFAULTS
    assert m.encode() == DEFAULT_ENCODING


def test_encode_buffer_starts_at_16_and_doubles(monkeypatch):
    sizes = []
    real = proton.pn_message_encode

    def spy(msg, size):
        sizes.append(size)
        return real(msg, size)
    monkeypatch.setattr(proton, "pn_message_encode", spy)
    assert Message().encode() == DEFAULT_ENCODING
    assert sizes == [16]
    del sizes[:]
    enc = Message(body=b"x" * 100).encode()
    assert len(enc) == 8 + 3 + 2 + 100
    assert sizes == [16, 32, 64, 128]


def test_check_maps_codes_to_exceptions():
    m = Message()
    proton.pn_error_set(proton.pn_message_error(m._msg), -2, "boom")
    with pytest.raises(MessageException, match=r"^\[-2\]: boom$"):
        m._check(-2)
    with pytest.raises(proton.Timeout):
        m._check(proton.PN_TIMEOUT)
    assert m._check(0) == 0


# ---------------------------------------------------------------------------------------------
# __repr__: the C inspector's text

FULL_REPR = ('Message{address="amqp://x/y", durable=1, priority=7, ttl=1500, first_acquirer=1, '
             'delivery_count=3, id=42, user_id="usr", subject="subj", reply_to="rt", '
             'correlation_id="cid", content_type="text/plain", content_encoding="utf8", '
             'expiry_time=1000, creation_time=2000, group_id="g", group_sequence=5, '
             'reply_to_group_id="rtg", inferred=1, instructions={:i=3}, annotations={:a=2}, '
             'properties={"k"=1}, body="hello"}')


def _repr_cases():
    def m(**kw):
        return lambda: Message(**kw)

    def encoded(**kw):
        def make():
            msg = Message(**kw)
            msg.encode()
            return msg
        return make

    def user_id(value):
        def make():
            msg = Message()
            msg.user_id = value
            return msg
        return make

    def full():
        msg = full_message()
        msg.encode()
        return msg

    return [
        ("default", m(), "Message{}"),
        ("body-not-encoded", m(body="x"), "Message{}"),
        ("body-encoded", encoded(body="x"), 'Message{body="x"}'),
        ("defaults-explicit", m(durable=False, priority=4, ttl=0, inferred=False), "Message{}"),
        ("priority0", m(priority=0), "Message{priority=0}"),
        ("quoting", m(address='a"b\\c\'d\n\u00e9'), 'Message{address="a"b\\c\'d\\x0a\\xc3\\xa9"}'),
        ("empty-string", m(subject=""), 'Message{subject=""}'),
        ("user-id-binary", user_id(b'a\x00\xff"'), 'Message{user_id="a\\x00\\xff""}'),
        ("user-id-empty", user_id(b""), 'Message{user_id=""}'),
        ("user-id-none", user_id(None), "Message{}"),
        ("id-uuid", m(id=uuid.UUID(int=1)), "Message{id=UUID(00000000-0000-0000-0000-000000000001)}"),
        ("id-binary", m(id=b"\x01a"), 'Message{id=b"\\x01a"}'),
        ("id-symbol", m(correlation_id=symbol("ab")), "Message{correlation_id=:ab}"),
        ("id-string-quote", m(id='a"b'), 'Message{id="a\\x22b"}'),
        ("id-null", m(id=None), "Message{}"),
        ("negative-time", m(creation_time=-0.005), "Message{creation_time=-5}"),
        ("group-sequence", m(group_sequence=3), "Message{group_sequence=3}"),
        ("body-null-section", encoded(body=[]), "Message{body=[]}"),
        ("properties-empty", encoded(properties={}), "Message{properties={}}"),
        ("nested-body", encoded(body=['a"b', symbol("a-b"), Described(symbol("d"), char("c"))]),
         'Message{body=["a\\x22b", :"a-b", @:d c]}'),
        ("full", full, FULL_REPR),
        ("timestamp-body", encoded(body=timestamp(5)), "Message{body=5}"),
    ]


REPR_CASES = _repr_cases()


@pytest.mark.parametrize("name,make,text", REPR_CASES, ids=[c[0] for c in REPR_CASES])
def test_repr(name, make, text):
    assert repr(make()) == text


@pytest.mark.parametrize("name,make,text", REPR_CASES, ids=[c[0] for c in REPR_CASES])
def test_python_inspector_matches_the_c_one(name, make, text):
    msg = make()
    assert msg._inspect() == text
    if _cproton.HAS_INSPECT:
        assert _cproton.inspect(msg._msg) == (0, msg._inspect())


def test_repr_keeps_the_id_cursor():
    msg = Message(id=5)
    repr(msg)
    msg._inspect()
    assert msg.id == 5
