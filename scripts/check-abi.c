/* Compile-time check of proton-c 0.37's x86-64 ABI facts (API.md section 0).
 *
 * scripts/check-headers.sh compiles this file twice: against Debian's headers (proving the
 * expected values are right) and against ours (proving we match). Nothing runs.
 */
#include <proton/message.h>
#include <stddef.h>

#define SIZE(T, n) _Static_assert(sizeof(T) == (n), "sizeof(" #T ") != " #n)
#define OFFSET(T, f, n) _Static_assert(offsetof(T, f) == (n), "offsetof(" #T ", " #f ") != " #n)
#define SAME_TYPE(expr, T) _Static_assert(_Generic((expr), T: 1, default: 0), #expr " is not " #T)

/* types.h */
SIZE(pn_bytes_t, 16);
OFFSET(pn_bytes_t, size, 0);
OFFSET(pn_bytes_t, start, 8);
SIZE(pn_rwbytes_t, 16);
OFFSET(pn_rwbytes_t, size, 0);
OFFSET(pn_rwbytes_t, start, 8);
SIZE(pn_uuid_t, 16);
SIZE(pn_decimal128_t, 16);
SIZE(pn_timestamp_t, 8);
SIZE(pn_millis_t, 4);
SIZE(pn_seconds_t, 4);
SIZE(pn_sequence_t, 4);
SIZE(pn_char_t, 4);
SIZE(pn_state_t, 4);
SIZE(pn_decimal32_t, 4);
SIZE(pn_decimal64_t, 8);
SAME_TYPE((pn_timestamp_t)0, int64_t);
SAME_TYPE((pn_millis_t)0, uint32_t);
SAME_TYPE((pn_seconds_t)0, uint32_t);
SAME_TYPE((pn_sequence_t)0, uint32_t);
SAME_TYPE((pn_char_t)0, uint32_t);
SAME_TYPE((pn_state_t)0, int);
SAME_TYPE((pn_decimal32_t)0, uint32_t);
SAME_TYPE((pn_decimal64_t)0, uint64_t);
SAME_TYPE(((pn_bytes_t *)0)->start, const char *);
SAME_TYPE(((pn_rwbytes_t *)0)->start, char *);
SAME_TYPE(((pn_uuid_t *)0)->bytes[0], char);
SAME_TYPE(((pn_decimal128_t *)0)->bytes[0], char);
_Static_assert(PN_MILLIS_MAX == 0xFFFFFFFFu, "PN_MILLIS_MAX");

/* codec.h: legacy code writes id.type = PN_ULONG; id.u.as_ulong = n; */
SIZE(pn_type_t, 4);
SIZE(pn_atom_t, 24);
OFFSET(pn_atom_t, type, 0);
OFFSET(pn_atom_t, u, 8);
OFFSET(pn_atom_t, u.as_bytes.size, 8);
OFFSET(pn_atom_t, u.as_bytes.start, 16);
SIZE(pn_msgid_t, 24);
SIZE(pn_handle_t, 8);
SAME_TYPE(((pn_atom_t *)0)->u.as_bool, bool);
SAME_TYPE(((pn_atom_t *)0)->u.as_ubyte, uint8_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_byte, int8_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_ushort, uint16_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_short, int16_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_uint, uint32_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_int, int32_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_char, pn_char_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_ulong, uint64_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_long, int64_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_timestamp, pn_timestamp_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_float, float);
SAME_TYPE(((pn_atom_t *)0)->u.as_double, double);
SAME_TYPE(((pn_atom_t *)0)->u.as_decimal32, pn_decimal32_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_decimal64, pn_decimal64_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_decimal128, pn_decimal128_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_uuid, pn_uuid_t);
SAME_TYPE(((pn_atom_t *)0)->u.as_bytes, pn_bytes_t);
SAME_TYPE(pn_data_point((pn_data_t *)0), pn_handle_t);

/* Type codes. */
_Static_assert(PN_NULL == 1 && PN_BOOL == 2 && PN_UBYTE == 3 && PN_BYTE == 4, "type codes");
_Static_assert(PN_USHORT == 5 && PN_SHORT == 6 && PN_UINT == 7 && PN_INT == 8, "type codes");
_Static_assert(PN_CHAR == 9 && PN_ULONG == 10 && PN_LONG == 11 && PN_TIMESTAMP == 12, "type codes");
_Static_assert(PN_FLOAT == 13 && PN_DOUBLE == 14 && PN_DECIMAL32 == 15, "type codes");
_Static_assert(PN_DECIMAL64 == 16 && PN_DECIMAL128 == 17 && PN_UUID == 18, "type codes");
_Static_assert(PN_BINARY == 19 && PN_STRING == 20 && PN_SYMBOL == 21, "type codes");
_Static_assert(PN_DESCRIBED == 22 && PN_ARRAY == 23 && PN_LIST == 24, "type codes");
_Static_assert(PN_MAP == 25 && PN_INVALID == -1, "type codes");

/* error.h */
_Static_assert(PN_OK == 0 && PN_EOS == -1 && PN_ERR == -2 && PN_OVERFLOW == -3, "error codes");
_Static_assert(PN_UNDERFLOW == -4 && PN_STATE_ERR == -5 && PN_ARG_ERR == -6, "error codes");
_Static_assert(PN_TIMEOUT == -7 && PN_INTR == -8 && PN_INPROGRESS == -9, "error codes");
_Static_assert(PN_OUT_OF_MEMORY == -10 && PN_ABORTED == -11, "error codes");

/* message.h */
_Static_assert(PN_DEFAULT_PRIORITY == 4, "PN_DEFAULT_PRIORITY");

/* Legacy code assigns the atom fields directly (msgr-send.c). */
int check_abi_atom(void);
int check_abi_atom(void)
{
  pn_msgid_t id;
  id.type = PN_ULONG;
  id.u.as_ulong = 42;
  return id.type == PN_ULONG && id.u.as_ulong == 42;
}
