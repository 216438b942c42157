/* error_types: error.h and types.h.  pn_code for -12..1 and far values; pn_error lifecycle
 * (new, set, clear, copy, copy from NULL, set with code 0, set with NULL text, format and
 * vformat, truncation of formatted text at 1024 bytes, PN_RETURN_IF_ERROR, the error codes'
 * values); pn_bytes/pn_rwbytes and the exported pn_bytes_null/pn_rwbytes_null; pn_type_name
 * for every type code and invalid ones; the sizes of the public structs (ABI). */
#include "common.h"

#include <stdarg.h>

static void show(const char *label, pn_error_t *e)
{
  printf("  %-36s code=%d(%s) text=", label, pn_error_code(e), pn_code(pn_error_code(e)));
  print_cstr(pn_error_text(e));
  printf("\n");
}

static int vformat(pn_error_t *e, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int rc = pn_error_vformat(e, code, fmt, ap);
  va_end(ap);
  return rc;
}

static int uses_return_if_error(int x, int *reached)
{
  *reached = 0;
  PN_RETURN_IF_ERROR(x);
  *reached = 1;
  return 100;
}

static void codes(void)
{
  printf("== error codes\n");
  printf("  PN_OK=%d PN_EOS=%d PN_ERR=%d PN_OVERFLOW=%d PN_UNDERFLOW=%d PN_STATE_ERR=%d PN_ARG_ERR=%d PN_TIMEOUT=%d "
         "PN_INTR=%d PN_INPROGRESS=%d PN_OUT_OF_MEMORY=%d PN_ABORTED=%d\n",
         PN_OK, PN_EOS, PN_ERR, PN_OVERFLOW, PN_UNDERFLOW, PN_STATE_ERR, PN_ARG_ERR, PN_TIMEOUT, PN_INTR,
         PN_INPROGRESS, PN_OUT_OF_MEMORY, PN_ABORTED);
  for (int c = -13; c <= 2; c++) printf("  pn_code(%d)=%s\n", c, pn_code(c));
  static const int far[] = {100, -100, 2147483647, -2147483647 - 1};
  for (size_t i = 0; i < sizeof far / sizeof far[0]; i++) printf("  pn_code(%d)=%s\n", far[i], pn_code(far[i]));
  printf("  same pointer for two calls: %s\n", pn_code(-3) == pn_code(-3) ? "yes" : "no");
  int reached;
  int r = uses_return_if_error(-5, &reached);
  printf("  PN_RETURN_IF_ERROR(-5) -> %d reached=%d\n", r, reached);
  r = uses_return_if_error(0, &reached);
  printf("  PN_RETURN_IF_ERROR(0) -> %d reached=%d\n", r, reached);
  r = uses_return_if_error(7, &reached);
  printf("  PN_RETURN_IF_ERROR(7) -> %d reached=%d\n", r, reached);
}

static void lifecycle(void)
{
  printf("== pn_error lifecycle\n");
  pn_error_t *e = pn_error();
  printf("  pn_error() %s\n", e ? "non-NULL" : "NULL");
  show("new", e);
  printf("  set rc=%d\n", pn_error_set(e, PN_ERR, "something broke"));
  show("after set", e);
  printf("  set rc=%d\n", pn_error_set(e, PN_TIMEOUT, "second"));
  show("after second set", e);
  pn_error_clear(e);
  show("after clear", e);
  printf("  set code 0 rc=%d\n", pn_error_set(e, 0, "text with code 0"));
  show("after set(0, text)", e);
  printf("  set NULL text rc=%d\n", pn_error_set(e, PN_STATE_ERR, NULL));
  show("after set(-5, NULL)", e);
  printf("  set positive code rc=%d\n", pn_error_set(e, 42, "positive"));
  show("after set(42)", e);
  printf("  set empty text rc=%d\n", pn_error_set(e, PN_EOS, ""));
  show("after set(-1, \"\")", e);
  char buf[32] = "mutable text";
  pn_error_set(e, PN_ERR, buf);
  buf[0] = 'X';
  show("text is copied", e);
  const char *t1 = pn_error_text(e);
  const char *t2 = pn_error_text(e);
  printf("  text pointer stable: %s\n", t1 == t2 ? "yes" : "no");

  printf("== pn_error_copy\n");
  pn_error_t *f = pn_error();
  pn_error_set(e, PN_OVERFLOW, "copied text");
  printf("  copy rc=%d\n", pn_error_copy(f, e));
  show("copy", f);
  printf("  texts distinct: %s\n", pn_error_text(f) != pn_error_text(e) ? "yes" : "no");
  pn_error_clear(e);
  printf("  copy of a cleared error rc=%d\n", pn_error_copy(f, e));
  show("copy of cleared", f);
  pn_error_set(f, PN_ERR, "x");
  printf("  copy from NULL rc=%d\n", pn_error_copy(f, NULL));
  show("copy from NULL", f);
  /* 0.37 frees the text before copying it when error == src (use after free): only the code
   * is reported, informationally. */
  pn_error_set(f, PN_INTR, "self");
  printf(INFO "copy onto itself rc=%d", pn_error_copy(f, f));
  printf(" code=%d\n", pn_error_code(f));
  pn_error_free(f);

  printf("== pn_error_format / pn_error_vformat\n");
  printf("  format rc=%d\n", pn_error_format(e, PN_ARG_ERR, "%s=%d (%05.1f) [%c] %x %%", "value", 42, 3.14159, 'z', 255));
  show("format", e);
  printf("  vformat rc=%d\n", vformat(e, PN_UNDERFLOW, "v:%s:%ld", "abc", -7L));
  show("vformat", e);
  printf("  format code 0 rc=%d\n", pn_error_format(e, 0, "zero %d", 1));
  show("format(0)", e);
  printf("  format no args rc=%d\n", pn_error_format(e, PN_EOS, "plain"));
  show("format plain", e);

  static char longtext[3000];
  for (size_t i = 0; i < sizeof longtext - 1; i++) longtext[i] = (char)('A' + i % 26);
  printf("  format 2999 chars rc=%d\n", pn_error_format(e, PN_ERR, "%s", longtext));
  const char *t = pn_error_text(e);
  size_t tl = t ? strlen(t) : 0;
  printf("  formatted text length=%zu prefix_ok=%s last=%c\n", tl,
         (t && strncmp(t, longtext, tl) == 0) ? "yes" : "no", tl ? t[tl - 1] : '-');
  printf("  format exactly 1023 chars: rc=%d", pn_error_format(e, PN_ERR, "%.*s", 1023, longtext));
  printf(" length=%zu\n", strlen(pn_error_text(e)));
  printf("  format exactly 1024 chars: rc=%d", pn_error_format(e, PN_ERR, "%.*s", 1024, longtext));
  printf(" length=%zu\n", strlen(pn_error_text(e)));
  printf("  vformat 2000 chars: rc=%d", vformat(e, PN_ERR, "%s%s", longtext + 1000, "tail"));
  printf(" length=%zu\n", strlen(pn_error_text(e)));
  printf("  set (not format) 2999 chars: rc=%d", pn_error_set(e, PN_ERR, longtext));
  printf(" length=%zu\n", strlen(pn_error_text(e)));
  pn_error_free(e);
}

static void bytes(void)
{
  printf("== pn_bytes / pn_rwbytes\n");
  const char *s = "hello";
  pn_bytes_t b = pn_bytes(5, s);
  printf("  pn_bytes(5, s): size=%zu start==s %s\n", b.size, b.start == s ? "yes" : "no");
  b = pn_bytes(0, NULL);
  printf("  pn_bytes(0, NULL): size=%zu start=%s\n", b.size, b.start ? "non-NULL" : "NULL");
  b = pn_bytes((size_t)-1, s);
  printf("  pn_bytes(SIZE_MAX, s): size=%zu start==s %s\n", b.size, b.start == s ? "yes" : "no");
  char rw[4] = "abc";
  pn_rwbytes_t r = pn_rwbytes(3, rw);
  printf("  pn_rwbytes(3, rw): size=%zu start==rw %s\n", r.size, r.start == rw ? "yes" : "no");
  r = pn_rwbytes(7, NULL);
  printf("  pn_rwbytes(7, NULL): size=%zu start=%s\n", r.size, r.start ? "non-NULL" : "NULL");
  printf("  pn_bytes_null: size=%zu start=%s\n", pn_bytes_null.size, pn_bytes_null.start ? "non-NULL" : "NULL");
  printf("  pn_rwbytes_null: size=%zu start=%s\n", pn_rwbytes_null.size,
         pn_rwbytes_null.start ? "non-NULL" : "NULL");
}

static void type_names(void)
{
  printf("== pn_type_name\n");
  for (int t = -3; t <= 27; t++) printf("  pn_type_name(%d)=%s\n", t, pn_type_name((pn_type_t)t));
  static const int far[] = {100, 255, 256, 1000000, -1000000};
  for (size_t i = 0; i < sizeof far / sizeof far[0]; i++)
    printf("  pn_type_name(%d)=%s\n", far[i], pn_type_name((pn_type_t)far[i]));
}

static void abi(void)
{
  printf("== ABI sizes\n");
  pn_atom_t a;
  printf("  pn_atom_t=%zu (type at %zu, u at %zu) pn_bytes_t=%zu pn_rwbytes_t=%zu pn_uuid_t=%zu pn_decimal128_t=%zu\n",
         sizeof(pn_atom_t), (size_t)((char *)&a.type - (char *)&a), (size_t)((char *)&a.u - (char *)&a),
         sizeof(pn_bytes_t), sizeof(pn_rwbytes_t), sizeof(pn_uuid_t), sizeof(pn_decimal128_t));
  printf("  pn_type_t=%zu pn_timestamp_t=%zu pn_millis_t=%zu pn_seconds_t=%zu pn_sequence_t=%zu pn_char_t=%zu\n",
         sizeof(pn_type_t), sizeof(pn_timestamp_t), sizeof(pn_millis_t), sizeof(pn_seconds_t), sizeof(pn_sequence_t),
         sizeof(pn_char_t));
  printf("  pn_decimal32_t=%zu pn_decimal64_t=%zu pn_handle_t=%zu pn_state_t=%zu PN_MILLIS_MAX=%u\n",
         sizeof(pn_decimal32_t), sizeof(pn_decimal64_t), sizeof(pn_handle_t), sizeof(pn_state_t), PN_MILLIS_MAX);
  printf("  PN_NULL=%d PN_BOOL=%d PN_UBYTE=%d PN_BYTE=%d PN_USHORT=%d PN_SHORT=%d PN_UINT=%d PN_INT=%d PN_CHAR=%d "
         "PN_ULONG=%d PN_LONG=%d PN_TIMESTAMP=%d PN_FLOAT=%d PN_DOUBLE=%d PN_DECIMAL32=%d PN_DECIMAL64=%d "
         "PN_DECIMAL128=%d PN_UUID=%d PN_BINARY=%d PN_STRING=%d PN_SYMBOL=%d PN_DESCRIBED=%d PN_ARRAY=%d "
         "PN_LIST=%d PN_MAP=%d PN_INVALID=%d\n",
         PN_NULL, PN_BOOL, PN_UBYTE, PN_BYTE, PN_USHORT, PN_SHORT, PN_UINT, PN_INT, PN_CHAR, PN_ULONG, PN_LONG,
         PN_TIMESTAMP, PN_FLOAT, PN_DOUBLE, PN_DECIMAL32, PN_DECIMAL64, PN_DECIMAL128, PN_UUID, PN_BINARY, PN_STRING,
         PN_SYMBOL, PN_DESCRIBED, PN_ARRAY, PN_LIST, PN_MAP, PN_INVALID);
}

int main(void)
{
  codes();
  lifecycle();
  bytes();
  type_names();
  abi();
  return 0;
}
