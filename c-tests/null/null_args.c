/* null_args: every exported function of types.h, error.h, codec.h and message.h called with
 * NULL handles, NULL buffers and NULL out-parameters.  Our library must not crash and must
 * answer: PN_ARG_ERR for int/ssize_t results, NULL for pointers, false for bools, 0 for
 * numbers and counts, PN_INVALID for types, an all-zero / {0, NULL} struct for value
 * results, and nothing at all for void functions (*_free(NULL) is a no-op).  Where proton
 * documents a NULL as meaningful (pn_error_set(e, code, NULL), pn_error_copy(e, NULL),
 * pn_message_set_address(m, NULL) ...) the documented result is asserted instead.
 *
 * Built by run.sh with -fsanitize=address,undefined against our library only: proton 0.37
 * itself dereferences these NULLs.  Prints one line per check and "N passed, N failed". */
#include <proton/codec.h>
#include <proton/error.h>
#include <proton/message.h>
#include <proton/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;

static void check(bool ok, const char *what, long long got, long long want)
{
  if (ok) {
    passed++;
    printf("ok   %s\n", what);
  } else {
    failed++;
    printf("FAIL %s: got %lld, want %lld\n", what, got, want);
  }
  fflush(stdout);
}

#define INT(expr, want)                                                                                               \
  do {                                                                                                                \
    long long g_ = (long long)(expr);                                                                                 \
    check(g_ == (long long)(want), #expr, g_, (long long)(want));                                                     \
  } while (0)
#define PTR(expr)                                                                                                     \
  do {                                                                                                                \
    const void *g_ = (const void *)(expr);                                                                            \
    check(g_ == NULL, #expr " == NULL", g_ != NULL, 0);                                                               \
  } while (0)
#define NONNULL(expr)                                                                                                 \
  do {                                                                                                                \
    const void *g_ = (const void *)(expr);                                                                            \
    check(g_ != NULL, #expr " != NULL", g_ != NULL, 1);                                                               \
  } while (0)
#define VOID(expr)                                                                                                    \
  do {                                                                                                                \
    expr;                                                                                                             \
    check(true, #expr " (returns)", 0, 0);                                                                            \
  } while (0)
#define BYTES(expr)                                                                                                   \
  do {                                                                                                                \
    pn_bytes_t g_ = (expr);                                                                                           \
    check(g_.size == 0 && g_.start == NULL, #expr " == {0, NULL}", (long long)g_.size, 0);                            \
  } while (0)
#define ZERO16(expr)                                                                                                  \
  do {                                                                                                                \
    char z_[16] = {0};                                                                                                \
    __typeof__(expr) g_ = (expr);                                                                                     \
    check(memcmp(&g_, z_, 16) == 0, #expr " all zero", memcmp(&g_, z_, 16) != 0, 0);                                  \
  } while (0)
#define ATOM_NULL(expr)                                                                                               \
  do {                                                                                                                \
    pn_atom_t g_ = (expr);                                                                                            \
    check(g_.type == PN_NULL, #expr ".type == PN_NULL", g_.type, PN_NULL);                                            \
  } while (0)

static int vfill(pn_data_t *d, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int rc = pn_data_vfill(d, fmt, ap);
  va_end(ap);
  return rc;
}

static int vscan(pn_data_t *d, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int rc = pn_data_vscan(d, fmt, ap);
  va_end(ap);
  return rc;
}

static int vformat(pn_error_t *e, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int rc = pn_error_vformat(e, code, fmt, ap);
  va_end(ap);
  return rc;
}

static void types_h(void)
{
  printf("# types.h\n");
  pn_bytes_t b = pn_bytes(0, NULL);
  check(b.size == 0 && b.start == NULL, "pn_bytes(0, NULL) == {0, NULL}", (long long)b.size, 0);
  b = pn_bytes(5, NULL);
  check(b.size == 5 && b.start == NULL, "pn_bytes(5, NULL) == {5, NULL}", (long long)b.size, 5);
  pn_rwbytes_t r = pn_rwbytes(0, NULL);
  check(r.size == 0 && r.start == NULL, "pn_rwbytes(0, NULL) == {0, NULL}", (long long)r.size, 0);
  check(pn_bytes_null.size == 0 && pn_bytes_null.start == NULL, "pn_bytes_null == {0, NULL}", 0, 0);
  check(pn_rwbytes_null.size == 0 && pn_rwbytes_null.start == NULL, "pn_rwbytes_null == {0, NULL}", 0, 0);
}

static void error_h(void)
{
  printf("# error.h\n");
  NONNULL(pn_code(0));
  NONNULL(pn_code(-6));
  NONNULL(pn_code(12345));
  VOID(pn_error_free(NULL));
  VOID(pn_error_clear(NULL));
  INT(pn_error_set(NULL, PN_ERR, "text"), PN_ARG_ERR);
  INT(pn_error_set(NULL, 0, NULL), PN_ARG_ERR);
  INT(pn_error_format(NULL, PN_ERR, "x %d", 1), PN_ARG_ERR);
  INT(vformat(NULL, PN_ERR, "x %d", 1), PN_ARG_ERR);
  INT(pn_error_code(NULL), PN_ARG_ERR);
  PTR(pn_error_text(NULL));
  INT(pn_error_copy(NULL, NULL), PN_ARG_ERR);

  pn_error_t *e = pn_error();
  NONNULL(e);
  /* Documented NULL uses: a NULL text, a NULL source. */
  INT(pn_error_set(e, PN_ERR, NULL), PN_ERR);
  INT(pn_error_code(e), PN_ERR);
  PTR(pn_error_text(e));
  INT(pn_error_copy(NULL, e), PN_ARG_ERR);
  pn_error_set(e, PN_ERR, "will be cleared");
  INT(pn_error_copy(e, NULL), 0);
  INT(pn_error_code(e), 0);
  PTR(pn_error_text(e));
  /* A NULL format string has no documented meaning. */
  INT(pn_error_format(e, PN_ERR, NULL), PN_ARG_ERR);
  INT(vformat(e, PN_ERR, NULL), PN_ARG_ERR);
  pn_error_free(e);
}

static void codec_h(void)
{
  printf("# codec.h: NULL data\n");
  char buf[64];
  size_t n = sizeof buf;
  NONNULL(pn_type_name(PN_INVALID));
  NONNULL(pn_type_name((pn_type_t)1000));
  VOID(pn_data_free(NULL));
  INT(pn_data_errno(NULL), PN_ARG_ERR);
  PTR(pn_data_error(NULL));
  INT(pn_data_fill(NULL, "i", 1), PN_ARG_ERR);
  INT(vfill(NULL, "i", 1), PN_ARG_ERR);
  int32_t iv = 7;
  INT(pn_data_scan(NULL, "i", &iv), PN_ARG_ERR);
  INT(vscan(NULL, "i", &iv), PN_ARG_ERR);
  VOID(pn_data_clear(NULL));
  INT(pn_data_size(NULL), 0);
  VOID(pn_data_rewind(NULL));
  INT(pn_data_next(NULL), false);
  INT(pn_data_prev(NULL), false);
  INT(pn_data_enter(NULL), false);
  INT(pn_data_exit(NULL), false);
  INT(pn_data_lookup(NULL, "key"), false);
  INT(pn_data_type(NULL), PN_INVALID);
  INT(pn_data_print(NULL), PN_ARG_ERR);
  INT(pn_data_format(NULL, buf, &n), PN_ARG_ERR);
  INT(pn_data_encode(NULL, buf, sizeof buf), PN_ARG_ERR);
  INT(pn_data_encoded_size(NULL), PN_ARG_ERR);
  INT(pn_data_decode(NULL, "\x40", 1), PN_ARG_ERR);
  INT(pn_data_put_list(NULL), PN_ARG_ERR);
  INT(pn_data_put_map(NULL), PN_ARG_ERR);
  INT(pn_data_put_array(NULL, false, PN_INT), PN_ARG_ERR);
  INT(pn_data_put_described(NULL), PN_ARG_ERR);
  INT(pn_data_put_null(NULL), PN_ARG_ERR);
  INT(pn_data_put_bool(NULL, true), PN_ARG_ERR);
  INT(pn_data_put_ubyte(NULL, 1), PN_ARG_ERR);
  INT(pn_data_put_byte(NULL, 1), PN_ARG_ERR);
  INT(pn_data_put_ushort(NULL, 1), PN_ARG_ERR);
  INT(pn_data_put_short(NULL, 1), PN_ARG_ERR);
  INT(pn_data_put_uint(NULL, 1), PN_ARG_ERR);
  INT(pn_data_put_int(NULL, 1), PN_ARG_ERR);
  INT(pn_data_put_char(NULL, 'c'), PN_ARG_ERR);
  INT(pn_data_put_ulong(NULL, 1), PN_ARG_ERR);
  INT(pn_data_put_long(NULL, 1), PN_ARG_ERR);
  INT(pn_data_put_timestamp(NULL, 1), PN_ARG_ERR);
  INT(pn_data_put_float(NULL, 1.0f), PN_ARG_ERR);
  INT(pn_data_put_double(NULL, 1.0), PN_ARG_ERR);
  INT(pn_data_put_decimal32(NULL, 1), PN_ARG_ERR);
  INT(pn_data_put_decimal64(NULL, 1), PN_ARG_ERR);
  pn_decimal128_t d128;
  memset(&d128, 1, sizeof d128);
  pn_uuid_t uuid;
  memset(&uuid, 2, sizeof uuid);
  INT(pn_data_put_decimal128(NULL, d128), PN_ARG_ERR);
  INT(pn_data_put_uuid(NULL, uuid), PN_ARG_ERR);
  INT(pn_data_put_binary(NULL, pn_bytes(1, "b")), PN_ARG_ERR);
  INT(pn_data_put_string(NULL, pn_bytes(1, "s")), PN_ARG_ERR);
  INT(pn_data_put_symbol(NULL, pn_bytes(1, "y")), PN_ARG_ERR);
  pn_atom_t atom;
  memset(&atom, 0, sizeof atom);
  atom.type = PN_INT;
  atom.u.as_int = 3;
  INT(pn_data_put_atom(NULL, atom), PN_ARG_ERR);
  INT(pn_data_get_list(NULL), 0);
  INT(pn_data_get_map(NULL), 0);
  INT(pn_data_get_array(NULL), 0);
  INT(pn_data_is_array_described(NULL), false);
  INT(pn_data_get_array_type(NULL), PN_INVALID);
  INT(pn_data_is_described(NULL), false);
  INT(pn_data_is_null(NULL), false);
  INT(pn_data_get_bool(NULL), false);
  INT(pn_data_get_ubyte(NULL), 0);
  INT(pn_data_get_byte(NULL), 0);
  INT(pn_data_get_ushort(NULL), 0);
  INT(pn_data_get_short(NULL), 0);
  INT(pn_data_get_uint(NULL), 0);
  INT(pn_data_get_int(NULL), 0);
  INT(pn_data_get_char(NULL), 0);
  INT(pn_data_get_ulong(NULL), 0);
  INT(pn_data_get_long(NULL), 0);
  INT(pn_data_get_timestamp(NULL), 0);
  INT(pn_data_get_float(NULL) == 0.0f, 1);
  INT(pn_data_get_double(NULL) == 0.0, 1);
  INT(pn_data_get_decimal32(NULL), 0);
  INT(pn_data_get_decimal64(NULL), 0);
  ZERO16(pn_data_get_decimal128(NULL));
  ZERO16(pn_data_get_uuid(NULL));
  BYTES(pn_data_get_binary(NULL));
  BYTES(pn_data_get_string(NULL));
  BYTES(pn_data_get_symbol(NULL));
  BYTES(pn_data_get_bytes(NULL));
  ATOM_NULL(pn_data_get_atom(NULL));
  INT(pn_data_copy(NULL, NULL), PN_ARG_ERR);
  INT(pn_data_append(NULL, NULL), PN_ARG_ERR);
  INT(pn_data_appendn(NULL, NULL, 1), PN_ARG_ERR);
  VOID(pn_data_narrow(NULL));
  VOID(pn_data_widen(NULL));
  PTR(pn_data_point(NULL));
  INT(pn_data_restore(NULL, NULL), false);
  VOID(pn_data_dump(NULL));

  printf("# codec.h: valid data, NULL buffers and arguments\n");
  pn_data_t *d = pn_data(0);
  NONNULL(d);
  pn_data_put_int(d, 1);
  INT(pn_data_fill(d, NULL), PN_ARG_ERR);
  INT(vfill(d, NULL), PN_ARG_ERR);
  INT(pn_data_scan(d, NULL), PN_ARG_ERR);
  INT(vscan(d, NULL), PN_ARG_ERR);
  INT(pn_data_lookup(d, NULL), false);
  n = sizeof buf;
  INT(pn_data_format(d, NULL, &n), PN_ARG_ERR);
  INT(pn_data_format(d, buf, NULL), PN_ARG_ERR);
  INT(pn_data_encode(d, NULL, 16), PN_ARG_ERR);
  INT(pn_data_decode(d, NULL, 4), PN_ARG_ERR);
  INT(pn_data_put_binary(d, pn_bytes(3, NULL)), PN_ARG_ERR);
  INT(pn_data_put_string(d, pn_bytes(3, NULL)), PN_ARG_ERR);
  INT(pn_data_put_symbol(d, pn_bytes(3, NULL)), PN_ARG_ERR);
  atom.type = PN_STRING;
  atom.u.as_bytes = pn_bytes(3, NULL);
  INT(pn_data_put_atom(d, atom), PN_ARG_ERR);
  /* Empty binary/string/symbol with a NULL start are fine. */
  INT(pn_data_put_binary(d, pn_bytes(0, NULL)), 0);
  INT(pn_data_put_string(d, pn_bytes(0, NULL)), 0);
  INT(pn_data_put_symbol(d, pn_bytes_null), 0);
  INT(pn_data_copy(d, NULL), PN_ARG_ERR);
  INT(pn_data_copy(NULL, d), PN_ARG_ERR);
  INT(pn_data_append(d, NULL), PN_ARG_ERR);
  INT(pn_data_append(NULL, d), PN_ARG_ERR);
  INT(pn_data_appendn(d, NULL, -1), PN_ARG_ERR);
  INT(pn_data_appendn(NULL, d, -1), PN_ARG_ERR);
  VOID(pn_data_restore(d, NULL));
  INT(pn_data_size(d), 4);
  pn_data_free(d);
}

static void message_h(void)
{
  printf("# message.h: NULL message\n");
  char buf[64];
  size_t n = sizeof buf;
  pn_atom_t id;
  memset(&id, 0, sizeof id);
  id.type = PN_ULONG;
  id.u.as_ulong = 1;
  pn_rwbytes_t rw = pn_rwbytes(0, NULL);
  VOID(pn_message_free(NULL));
  VOID(pn_message_clear(NULL));
  INT(pn_message_errno(NULL), PN_ARG_ERR);
  PTR(pn_message_error(NULL));
  INT(pn_message_is_inferred(NULL), false);
  INT(pn_message_set_inferred(NULL, true), PN_ARG_ERR);
  INT(pn_message_is_durable(NULL), false);
  INT(pn_message_set_durable(NULL, true), PN_ARG_ERR);
  INT(pn_message_get_priority(NULL), 0);
  INT(pn_message_set_priority(NULL, 1), PN_ARG_ERR);
  INT(pn_message_get_ttl(NULL), 0);
  INT(pn_message_set_ttl(NULL, 1), PN_ARG_ERR);
  INT(pn_message_is_first_acquirer(NULL), false);
  INT(pn_message_set_first_acquirer(NULL, true), PN_ARG_ERR);
  INT(pn_message_get_delivery_count(NULL), 0);
  INT(pn_message_set_delivery_count(NULL, 1), PN_ARG_ERR);
  PTR(pn_message_id(NULL));
  ATOM_NULL(pn_message_get_id(NULL));
  INT(pn_message_set_id(NULL, id), PN_ARG_ERR);
  BYTES(pn_message_get_user_id(NULL));
  INT(pn_message_set_user_id(NULL, pn_bytes(1, "u")), PN_ARG_ERR);
  PTR(pn_message_get_address(NULL));
  INT(pn_message_set_address(NULL, "a"), PN_ARG_ERR);
  PTR(pn_message_get_subject(NULL));
  INT(pn_message_set_subject(NULL, "s"), PN_ARG_ERR);
  PTR(pn_message_get_reply_to(NULL));
  INT(pn_message_set_reply_to(NULL, "r"), PN_ARG_ERR);
  PTR(pn_message_correlation_id(NULL));
  ATOM_NULL(pn_message_get_correlation_id(NULL));
  INT(pn_message_set_correlation_id(NULL, id), PN_ARG_ERR);
  PTR(pn_message_get_content_type(NULL));
  INT(pn_message_set_content_type(NULL, "t"), PN_ARG_ERR);
  PTR(pn_message_get_content_encoding(NULL));
  INT(pn_message_set_content_encoding(NULL, "e"), PN_ARG_ERR);
  INT(pn_message_get_expiry_time(NULL), 0);
  INT(pn_message_set_expiry_time(NULL, 1), PN_ARG_ERR);
  INT(pn_message_get_creation_time(NULL), 0);
  INT(pn_message_set_creation_time(NULL, 1), PN_ARG_ERR);
  PTR(pn_message_get_group_id(NULL));
  INT(pn_message_set_group_id(NULL, "g"), PN_ARG_ERR);
  INT(pn_message_get_group_sequence(NULL), 0);
  INT(pn_message_set_group_sequence(NULL, 1), PN_ARG_ERR);
  PTR(pn_message_get_reply_to_group_id(NULL));
  INT(pn_message_set_reply_to_group_id(NULL, "rg"), PN_ARG_ERR);
  PTR(pn_message_instructions(NULL));
  PTR(pn_message_annotations(NULL));
  PTR(pn_message_properties(NULL));
  PTR(pn_message_body(NULL));
  INT(pn_message_decode(NULL, "\x00\x53\x70\x45", 4), PN_ARG_ERR);
  INT(pn_message_encode(NULL, buf, &n), PN_ARG_ERR);
  INT(pn_message_encode2(NULL, &rw), PN_ARG_ERR);
  INT(pn_message_send(NULL, NULL, NULL), PN_ARG_ERR);
  INT(pn_message_data(NULL, NULL), PN_ARG_ERR);

  printf("# message.h: valid message, NULL arguments\n");
  pn_message_t *m = pn_message();
  NONNULL(m);
  /* NULL strings clear (documented). */
  pn_message_set_address(m, "x");
  INT(pn_message_set_address(m, NULL), 0);
  PTR(pn_message_get_address(m));
  INT(pn_message_set_subject(m, NULL), 0);
  INT(pn_message_set_reply_to(m, NULL), 0);
  INT(pn_message_set_content_type(m, NULL), 0);
  INT(pn_message_set_content_encoding(m, NULL), 0);
  INT(pn_message_set_group_id(m, NULL), 0);
  INT(pn_message_set_reply_to_group_id(m, NULL), 0);
  INT(pn_message_set_user_id(m, pn_bytes(0, NULL)), 0);
  INT(pn_message_set_user_id(m, pn_bytes(4, NULL)), PN_ARG_ERR);
  pn_atom_t bad;
  memset(&bad, 0, sizeof bad);
  bad.type = PN_STRING;
  bad.u.as_bytes = pn_bytes(4, NULL);
  INT(pn_message_set_id(m, bad), PN_ARG_ERR);
  INT(pn_message_set_correlation_id(m, bad), PN_ARG_ERR);
  n = sizeof buf;
  INT(pn_message_decode(m, NULL, 4), PN_ARG_ERR);
  INT(pn_message_decode(m, NULL, 0), PN_ARG_ERR);
  INT(pn_message_encode(m, NULL, &n), PN_ARG_ERR);
  INT(pn_message_encode(m, buf, NULL), PN_ARG_ERR);
  INT(pn_message_encode2(m, NULL), PN_ARG_ERR);
  INT(pn_message_send(m, NULL, NULL), PN_ARG_ERR);
  INT(pn_message_data(m, NULL), PN_ARG_ERR);
  /* The message is still usable and encodes to the 8-byte default. */
  n = sizeof buf;
  INT(pn_message_encode(m, buf, &n), 0);
  INT(n, 8);
  pn_message_free(m);
}

int main(void)
{
  types_h();
  error_h();
  codec_h();
  message_h();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
