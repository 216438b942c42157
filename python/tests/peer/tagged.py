"""Tagged-JSON AMQP values, shared by our tests and the python-qpid-proton 0.40 peer script.

A value is a JSON list ``[tag, ...]``; the functions take the ``proton`` module to build or
read values with (ours in the pytest process, 0.40's in the peer process), and never import
``proton`` themselves, so the two packages never share a process.

  ["null"]  ["bool", b]  ["ubyte"|"byte"|"ushort"|"short"|"uint"|"int"|"ulong"|"long", n]
  ["char", codepoint]  ["timestamp", ms]  ["float"|"double", "<big-endian IEEE hex>"]
  ["decimal32"|"decimal64", n]  ["decimal128"|"uuid"|"binary", "<hex>"]
  ["string"|"symbol", text]  ["list", [v...]]  ["map", [[k, v]...]]
  ["described", descriptor, value]  ["array", descriptor-or-null, "<element type name>", [v...]]

A message is a dict of its fields (see MESSAGE_DEFAULTS); sections and ids are tagged values.
"""

import struct
import uuid

MESSAGE_DEFAULTS = {
    "inferred": False, "durable": False, "priority": 4, "ttl": 0.0, "first_acquirer": False,
    "delivery_count": 0, "id": None, "user_id": "", "address": None, "subject": None,
    "reply_to": None, "correlation_id": None, "content_type": None, "content_encoding": None,
    "expiry_time": 0.0, "creation_time": 0.0, "group_id": None, "group_sequence": 0,
    "reply_to_group_id": None, "instructions": None, "annotations": None, "properties": None,
    "body": None,
}

_SCALAR_INTS = ("ubyte", "byte", "ushort", "short", "uint", "ulong", "decimal32", "decimal64",
                "timestamp")


def _type_code(P, name):
    for code, n in P.Data.type_names.items():
        if n == name:
            return code
    raise KeyError(name)


def to_py(P, v):
    """A tagged value as a Python object of module P."""
    tag = v[0]
    if tag == "null":
        return None
    if tag == "bool":
        return bool(v[1])
    if tag == "long":
        return int(v[1])
    if tag == "int":
        return P.int32(v[1])
    if tag in _SCALAR_INTS:
        return getattr(P, tag)(v[1])
    if tag == "char":
        return P.char(chr(v[1]))
    if tag == "float":
        return P.float32(struct.unpack(">f", bytes.fromhex(v[1]))[0])
    if tag == "double":
        return struct.unpack(">d", bytes.fromhex(v[1]))[0]
    if tag == "decimal128":
        return P.decimal128(bytes.fromhex(v[1]))
    if tag == "uuid":
        return uuid.UUID(bytes=bytes.fromhex(v[1]))
    if tag == "binary":
        return bytes.fromhex(v[1])
    if tag == "string":
        return v[1]
    if tag == "symbol":
        return P.symbol(v[1])
    if tag == "list":
        return [to_py(P, x) for x in v[1]]
    if tag == "map":
        return dict((to_py(P, k), to_py(P, x)) for k, x in v[1])
    if tag == "described":
        return P.Described(to_py(P, v[1]), to_py(P, v[2]))
    if tag == "array":
        descriptor = P.UNDESCRIBED if v[1] is None else to_py(P, v[1])
        return P.Array(descriptor, _type_code(P, v[2]), *[to_py(P, x) for x in v[3]])
    raise ValueError("unknown tag %r" % (tag,))


def from_py(P, obj):
    """A Python object (as module P's get_object returns it) as a tagged value."""
    if obj is None:
        return ["null"]
    t = type(obj)
    if t is bool:
        return ["bool", obj]
    if t is int:
        return ["long", obj]
    if t is P.int32:
        return ["int", int(obj)]
    for name in _SCALAR_INTS:
        if t is getattr(P, name):
            return [name, int(obj)]
    if t is P.char:
        return ["char", ord(obj)]
    if t is P.float32:
        return ["float", struct.pack(">f", obj).hex()]
    if t is float:
        return ["double", struct.pack(">d", obj).hex()]
    if t is P.decimal128:
        return ["decimal128", bytes(obj).hex()]
    if t is uuid.UUID:
        return ["uuid", obj.bytes.hex()]
    if t is bytes or t is memoryview:  # 0.40 may give binaries as memoryview
        return ["binary", bytes(obj).hex()]
    if t is P.symbol:
        return ["symbol", str(obj)]
    if t is str:
        return ["string", obj]
    if isinstance(obj, P.Described):
        return ["described", from_py(P, obj.descriptor), from_py(P, obj.value)]
    if isinstance(obj, P.Array):
        descriptor = None if obj.descriptor is P.UNDESCRIBED else from_py(P, obj.descriptor)
        return ["array", descriptor, P.Data.type_names[obj.type], [from_py(P, x) for x in obj.elements]]
    if isinstance(obj, dict):
        return ["map", [[from_py(P, k), from_py(P, x)] for k, x in obj.items()]]
    if isinstance(obj, (list, tuple)):
        return ["list", [from_py(P, x) for x in obj]]
    return ["unmapped", repr(obj)]


def _id_from_py(P, obj):
    # 0.40 gives a ulong message id as a plain int; 0.21 as ulong.
    if type(obj) is int:
        return ["ulong", obj]
    return None if obj is None else from_py(P, obj)


def message_from_spec(P, spec):
    """A P.Message with the fields of ``spec`` (MESSAGE_DEFAULTS keys; absent = default)."""
    m = P.Message()
    for k, v in spec.items():
        if k in ("id", "correlation_id"):
            setattr(m, k, None if v is None else to_py(P, v))
        elif k in ("instructions", "annotations", "properties", "body"):
            setattr(m, k, None if v is None else to_py(P, v))
        elif k == "user_id":
            m.user_id = bytes.fromhex(v)
        else:
            setattr(m, k, v)
    return m


def message_to_spec(P, m):
    """Every field of a P.Message as a JSON-able dict."""
    out = {}
    for k in MESSAGE_DEFAULTS:
        v = getattr(m, k)
        if k in ("id", "correlation_id"):
            out[k] = _id_from_py(P, v)
        elif k in ("instructions", "annotations", "properties", "body"):
            out[k] = None if v is None else from_py(P, v)
        elif k == "user_id":
            out[k] = bytes(v).hex()
        elif k in ("content_type", "content_encoding"):
            # both versions read an unset symbol field as symbol('None')
            out[k] = None if v is None or str(v) == "None" else str(v)
        elif k in ("ttl", "expiry_time", "creation_time"):
            out[k] = float(v)
        elif k in ("inferred", "durable", "first_acquirer"):
            out[k] = bool(v)
        elif k in ("priority", "delivery_count", "group_sequence"):
            out[k] = int(v)
        else:
            out[k] = v
    return out


def expected_message(spec):
    """What message_to_spec should give for a message built from ``spec``."""
    out = dict(MESSAGE_DEFAULTS)
    out.update(spec)
    for k in ("ttl", "expiry_time", "creation_time"):
        out[k] = float(out[k])
    return out


def run_ops(P, ops):
    """Apply peer operations with module P; one result dict per op (errors captured)."""
    results = []
    for op in ops:
        try:
            kind = op["op"]
            if kind == "encode_data":
                d = P.Data()
                d.put_object(to_py(P, op["value"]))
                results.append({"ok": d.encode().hex()})
            elif kind == "decode_data":
                d = P.Data()
                d.decode(bytes.fromhex(op["hex"]))
                d.rewind()
                d.next()
                results.append({"ok": from_py(P, d.get_object())})
            elif kind == "encode_message":
                results.append({"ok": message_from_spec(P, op["spec"]).encode().hex()})
            elif kind == "decode_message":
                m = P.Message()
                m.decode(bytes.fromhex(op["hex"]))
                results.append({"ok": message_to_spec(P, m)})
            else:
                raise ValueError("unknown op %r" % (kind,))
        except Exception as e:  # reported to the test, which fails on it
            results.append({"error": "%s: %s" % (type(e).__name__, e)})
    return results
