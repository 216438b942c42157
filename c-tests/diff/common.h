/* Shared printing helpers for the differential tests in c-tests/diff/.
 *
 * Every program in this directory is compiled twice (against Debian's proton 0.37 headers and
 * against ours) and run on both libraries; run.sh compares the text they print.  The helpers
 * below therefore print only deterministic facts: return codes, values, bytes in hex, escaped
 * text.  Never a pointer: pointer-valued results are reported as NULL/non-NULL or as
 * "same"/"different" from another pointer.
 *
 * Only legacy proton headers and the C standard library are used. */
#ifndef CTESTS_DIFF_COMMON_H
#define CTESTS_DIFF_COMMON_H

#include <proton/codec.h>
#include <proton/error.h>
#include <proton/types.h>

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FMT_CAP (1 << 18)

/* Lines that start with "~" are informational: run.sh drops them before comparing.  They
 * record a 0.37 behaviour that is a bug or an implementation detail (e.g. an encoding proton
 * itself cannot decode, node-table sizes after an in-place overwrite) so that the lead can
 * decide whether to copy it; a line stays compared unless there is such a reason. */
#define INFO "~ "

/* Print n bytes as lower-case hex pairs separated by spaces. */
/* FNV-1a over n bytes: long outputs are shortened to a prefix and this checksum. */
static inline uint32_t fnv1a(const char *p, size_t n)
{
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)p[i];
    h *= 16777619u;
  }
  return h;
}

#define LONG_CUT 600

static inline void print_hex(const char *p, size_t n)
{
  size_t m = n > LONG_CUT ? 64 : n;
  for (size_t i = 0; i < m; i++) printf("%s%02x", i ? " " : "", (unsigned char)p[i]);
  if (m < n) printf(" ...(%zu bytes, fnv1a=%08" PRIx32 ")", n, fnv1a(p, n));
}

/* Print n bytes as text, escaping everything outside printable ASCII as \\xhh. */
static inline void print_escaped(const char *p, size_t n)
{
  size_t m = n > LONG_CUT ? 200 : n;
  for (size_t i = 0; i < m; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c < 0x20 || c >= 0x7f) printf("\\x%02x", c);
    else putchar(c);
  }
  if (m < n) printf("...(%zu bytes, fnv1a=%08" PRIx32 ")", n, fnv1a(p, n));
}

/* A C string that may be NULL, escaped, in double quotes; NULL prints as (NULL). */
static inline void print_cstr(const char *s)
{
  if (!s) {
    printf("(NULL)");
    return;
  }
  putchar('"');
  print_escaped(s, strlen(s));
  putchar('"');
}

/* A pn_bytes_t: size, whether start is NULL, and the content. */
static inline void print_bytes(pn_bytes_t b)
{
  printf("size=%zu ", b.size);
  if (!b.start) {
    printf("start=NULL");
    return;
  }
  printf("\"");
  print_escaped(b.start, b.size);
  printf("\"");
}

static inline void print_uuid_bytes(const char *b)
{
  print_hex(b, 16);
}

/* Exact bits of a float/double as well as %g. */
static inline void print_float(float f)
{
  uint32_t bits;
  memcpy(&bits, &f, 4);
  printf("%g (0x%08" PRIx32 ")", (double)f, bits);
}

static inline void print_double(double f)
{
  uint64_t bits;
  memcpy(&bits, &f, 8);
  printf("%g (0x%016" PRIx64 ")", f, bits);
}

/* Print an atom: type name and the member of the union that type selects. */
static inline void print_atom(pn_atom_t a)
{
  printf("atom{%s", pn_type_name(a.type));
  switch (a.type) {
  case PN_NULL: break;
  case PN_BOOL: printf(" %s", a.u.as_bool ? "true" : "false"); break;
  case PN_UBYTE: printf(" %u", a.u.as_ubyte); break;
  case PN_BYTE: printf(" %d", a.u.as_byte); break;
  case PN_USHORT: printf(" %u", a.u.as_ushort); break;
  case PN_SHORT: printf(" %d", a.u.as_short); break;
  case PN_UINT: printf(" %" PRIu32, a.u.as_uint); break;
  case PN_INT: printf(" %" PRId32, a.u.as_int); break;
  case PN_CHAR: printf(" U+%04" PRIX32, a.u.as_char); break;
  case PN_ULONG: printf(" %" PRIu64, a.u.as_ulong); break;
  case PN_LONG: printf(" %" PRId64, a.u.as_long); break;
  case PN_TIMESTAMP: printf(" %" PRId64, a.u.as_timestamp); break;
  case PN_FLOAT: printf(" "); print_float(a.u.as_float); break;
  case PN_DOUBLE: printf(" "); print_double(a.u.as_double); break;
  case PN_DECIMAL32: printf(" %" PRIu32, a.u.as_decimal32); break;
  case PN_DECIMAL64: printf(" %" PRIu64, a.u.as_decimal64); break;
  case PN_DECIMAL128: printf(" "); print_hex(a.u.as_decimal128.bytes, 16); break;
  case PN_UUID: printf(" "); print_hex(a.u.as_uuid.bytes, 16); break;
  case PN_BINARY:
  case PN_STRING:
  case PN_SYMBOL: printf(" "); print_bytes(a.u.as_bytes); break;
  default: printf(" (type %d)", (int)a.type); break;
  }
  printf("}");
}

/* Format a data tree with a large buffer: "rc=R len=N text=<escaped>". */
static inline int print_format(pn_data_t *d)
{
  static char buf[FMT_CAP];
  size_t n = sizeof(buf);
  memset(buf, 0x5a, 64);
  int rc = pn_data_format(d, buf, &n);
  printf("rc=%d len=%zu text=", rc, n);
  if (rc == 0) {
    print_escaped(buf, n);
    if (buf[n] != '\0') printf(" (NOT NUL-TERMINATED)");
  }
  return rc;
}

static inline void show_format(const char *label, pn_data_t *d)
{
  printf("%s: format ", label);
  print_format(d);
  printf("\n");
}

/* Encoded size, then the encoding in hex: "size=S enc=E hex..". */
static inline ssize_t print_encoding(pn_data_t *d)
{
  static char buf[1 << 20];
  ssize_t sz = pn_data_encoded_size(d);
  ssize_t n = pn_data_encode(d, buf, sizeof(buf));
  printf("encoded_size=%zd encode=%zd", sz, n);
  if (n > 0) {
    printf(" hex=");
    print_hex(buf, (size_t)n);
  }
  return n;
}

static inline void show_encoding(const char *label, pn_data_t *d)
{
  printf("%s: ", label);
  print_encoding(d);
  printf("\n");
}

/* A data error: errno, error code and text. */
static inline void print_data_error(pn_data_t *d)
{
  pn_error_t *e = pn_data_error(d);
  printf("errno=%d(%s) error=%s", pn_data_errno(d), pn_code(pn_data_errno(d)), e ? "non-NULL" : "NULL");
  if (e) {
    printf(" code=%d text=", pn_error_code(e));
    print_cstr(pn_error_text(e));
  }
}

/* Print the cursor state: the current node's type, or INVALID. */
static inline void print_cursor(pn_data_t *d)
{
  pn_type_t t = pn_data_type(d);
  printf("type=%d(%s)", (int)t, pn_type_name(t));
}

/* Encode d, decode it into a fresh data object and report whether format and bytes agree. */
static inline void roundtrip(const char *label, pn_data_t *d)
{
  static char buf[1 << 20];
  static char buf2[1 << 20];
  ssize_t n = pn_data_encode(d, buf, sizeof(buf));
  printf("%s: roundtrip encode=%zd", label, n);
  if (n < 0) {
    printf("\n");
    return;
  }
  pn_data_t *e = pn_data(0);
  size_t off = 0;
  int values = 0;
  while (off < (size_t)n) {
    ssize_t m = pn_data_decode(e, buf + off, (size_t)n - off);
    if (m <= 0) {
      printf(" decode@%zu=%zd", off, m);
      break;
    }
    off += (size_t)m;
    values++;
  }
  ssize_t n2 = pn_data_encode(e, buf2, sizeof(buf2));
  printf(" values=%d reencode=%zd same_bytes=%s decoded ", values, n2,
         (n2 == n && memcmp(buf, buf2, (size_t)n) == 0) ? "yes" : "no");
  print_format(e);
  printf("\n");
  pn_data_free(e);
}

/* Print every node below the cursor's level, depth first, with its exact type. */
static inline void print_tree(pn_data_t *d, int depth)
{
  while (pn_data_next(d)) {
    pn_type_t t = pn_data_type(d);
    printf("  %*s%s", depth * 2, "", pn_type_name(t));
    bool compound = t == PN_LIST || t == PN_MAP || t == PN_ARRAY || t == PN_DESCRIBED;
    if (t == PN_LIST) printf(" count=%zu", pn_data_get_list(d));
    if (t == PN_MAP) printf(" count=%zu", pn_data_get_map(d));
    if (t == PN_ARRAY)
      printf(" count=%zu described=%d element=%s", pn_data_get_array(d), pn_data_is_array_described(d),
             pn_type_name(pn_data_get_array_type(d)));
    if (!compound) {
      printf(" ");
      print_atom(pn_data_get_atom(d));
    }
    printf("\n");
    if (compound && pn_data_enter(d)) {
      print_tree(d, depth + 1);
      pn_data_exit(d);
    }
  }
}

#endif
