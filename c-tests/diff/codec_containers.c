/* codec_containers: lists, maps, arrays (plain and described; of scalars, lists, maps,
 * described values and arrays), described values, empty containers, deep nesting; for each:
 * child counts, formatted text, encoded size and bytes, PN_OVERFLOW when the buffer is one
 * byte short (and 0 bytes), success at exactly the encoded size, decode round trip; decoding
 * concatenated values one after another. */
#include "common.h"

static pn_data_t *D;

static void begin(const char *label)
{
  pn_data_clear(D);
  printf("== %s\n", label);
}

/* Encode into buffers of size n-1, 0 and n; report rc, errno and whether bytes beyond n were
 * touched. */
static void overflow_checks(pn_data_t *d)
{
  static char buf[1 << 20];
  static char ref[1 << 20];
  ssize_t n = pn_data_encode(d, ref, sizeof ref);
  if (n <= 0) {
    printf("  overflow: reference encode=%zd\n", n);
    return;
  }
  memset(buf, 0x77, (size_t)n + 8);
  ssize_t r1 = pn_data_encode(d, buf, (size_t)n - 1);
  printf("  encode(size-1)=%zd(%s) ", r1, pn_code((int)r1));
  print_data_error(d);
  printf(" beyond_untouched=%s\n", buf[n - 1] == 0x77 ? "yes" : "no");
  ssize_t r0 = pn_data_encode(d, buf, 0);
  printf("  encode(0)=%zd(%s)\n", r0, pn_code((int)r0));
  memset(buf, 0x77, (size_t)n + 8);
  ssize_t rn = pn_data_encode(d, buf, (size_t)n);
  printf("  encode(exact)=%zd same=%s after=%s ", rn,
         (rn == n && memcmp(buf, ref, (size_t)n) == 0) ? "yes" : "no",
         buf[n] == 0x77 ? "untouched" : "touched");
  print_data_error(d);
  printf("\n");
}

static void show_all(pn_data_t *d)
{
  printf("  size=%zu\n  ", pn_data_size(d));
  show_format("format", d);
  printf("  ");
  show_encoding("encoding", d);
  printf("  ");
  roundtrip("rt", d);
  overflow_checks(d);
}

/* The same, but the encoding lines are informational (see INFO in common.h). */
static void show_all_info(pn_data_t *d)
{
  printf("  size=%zu\n  ", pn_data_size(d));
  show_format("format", d);
  printf(INFO);
  show_encoding("encoding", d);
  printf(INFO);
  roundtrip("rt", d);
}

/* Walk the tree depth-first and print each node's type and child counts. */
static void walk(pn_data_t *d, int depth)
{
  while (pn_data_next(d)) {
    pn_type_t t = pn_data_type(d);
    printf("  %*s%s", depth * 2, "", pn_type_name(t));
    if (t == PN_LIST) printf(" get_list=%zu", pn_data_get_list(d));
    if (t == PN_MAP) printf(" get_map=%zu", pn_data_get_map(d));
    if (t == PN_ARRAY)
      printf(" get_array=%zu described=%d array_type=%s", pn_data_get_array(d), pn_data_is_array_described(d),
             pn_type_name(pn_data_get_array_type(d)));
    if (t == PN_DESCRIBED) printf(" is_described=%d", pn_data_is_described(d));
    if (t != PN_LIST && t != PN_MAP && t != PN_ARRAY && t != PN_DESCRIBED) {
      printf(" ");
      print_atom(pn_data_get_atom(d));
    }
    printf("\n");
    if (t == PN_LIST || t == PN_MAP || t == PN_ARRAY || t == PN_DESCRIBED) {
      bool e = pn_data_enter(d);
      if (!e) printf("  %*senter failed\n", depth * 2, "");
      walk(d, depth + 1);
      bool x = pn_data_exit(d);
      if (!x) printf("  %*sexit failed\n", depth * 2, "");
    }
  }
}

static void show_walk(pn_data_t *d)
{
  printf("  walk:\n");
  pn_data_rewind(d);
  walk(d, 1);
}

static void str(pn_data_t *d, const char *s)
{
  pn_data_put_string(d, pn_bytes(strlen(s), s));
}

static void sym(pn_data_t *d, const char *s)
{
  pn_data_put_symbol(d, pn_bytes(strlen(s), s));
}

int main(void)
{
  D = pn_data(0);

  begin("empty data");
  show_all(D);

  begin("empty list");
  printf("  put_list=%d\n", pn_data_put_list(D));
  show_all(D);
  show_walk(D);

  begin("list [1, \"x\", null, true]");
  pn_data_put_list(D);
  printf("  enter=%d\n", pn_data_enter(D));
  pn_data_put_int(D, 1);
  str(D, "x");
  pn_data_put_null(D);
  pn_data_put_bool(D, true);
  printf("  exit=%d", pn_data_exit(D));
  printf(" get_list=%zu\n", pn_data_get_list(D));
  show_all(D);
  show_walk(D);

  begin("list of 300 ubytes (list32)");
  pn_data_put_list(D);
  pn_data_enter(D);
  for (int i = 0; i < 300; i++) pn_data_put_ubyte(D, (uint8_t)i);
  pn_data_exit(D);
  printf("  get_list=%zu\n", pn_data_get_list(D));
  show_all(D);

  begin("list of 100 ubytes (list8 size boundary 201 bytes)");
  pn_data_put_list(D);
  pn_data_enter(D);
  for (int i = 0; i < 100; i++) pn_data_put_ubyte(D, (uint8_t)i);
  pn_data_exit(D);
  show_all(D);

  begin("list with 127 ubytes (body 255 bytes)");
  pn_data_put_list(D);
  pn_data_enter(D);
  for (int i = 0; i < 127; i++) pn_data_put_ubyte(D, (uint8_t)i);
  pn_data_exit(D);
  show_all(D);

  begin("list with a 250-byte string");
  {
    static char s[251];
    memset(s, 'q', 250);
    pn_data_put_list(D);
    pn_data_enter(D);
    str(D, s);
    pn_data_exit(D);
    show_all(D);
  }

  begin("list of nulls only");
  pn_data_put_list(D);
  pn_data_enter(D);
  pn_data_put_null(D);
  pn_data_put_null(D);
  pn_data_exit(D);
  show_all(D);

  begin("empty map");
  printf("  put_map=%d\n", pn_data_put_map(D));
  show_all(D);
  show_walk(D);

  begin("map {\"k\"=1, :k2=null, 3=[true]}");
  pn_data_put_map(D);
  pn_data_enter(D);
  str(D, "k");
  pn_data_put_int(D, 1);
  sym(D, "k2");
  pn_data_put_null(D);
  pn_data_put_ulong(D, 3);
  pn_data_put_list(D);
  pn_data_enter(D);
  pn_data_put_bool(D, true);
  pn_data_exit(D);
  pn_data_exit(D);
  printf("  get_map=%zu\n", pn_data_get_map(D));
  show_all(D);
  show_walk(D);

  begin("map with odd number of children");
  pn_data_put_map(D);
  pn_data_enter(D);
  str(D, "k");
  pn_data_put_int(D, 1);
  str(D, "dangling");
  pn_data_exit(D);
  printf("  get_map=%zu\n", pn_data_get_map(D));
  show_all(D);

  begin("map of 200 entries (map32)");
  pn_data_put_map(D);
  pn_data_enter(D);
  for (int i = 0; i < 200; i++) {
    char k[16];
    snprintf(k, sizeof k, "k%03d", i);
    str(D, k);
    pn_data_put_int(D, i);
  }
  pn_data_exit(D);
  printf("  get_map=%zu\n", pn_data_get_map(D));
  show_all(D);

  begin("array int [1, 2, 300]");
  printf("  put_array=%d\n", pn_data_put_array(D, false, PN_INT));
  pn_data_enter(D);
  pn_data_put_int(D, 1);
  pn_data_put_int(D, 2);
  pn_data_put_int(D, 300);
  pn_data_exit(D);
  show_all(D);
  show_walk(D);

  begin("empty array int");
  pn_data_put_array(D, false, PN_INT);
  show_all(D);
  show_walk(D);

  {
    static const pn_type_t types[] = {PN_NULL, PN_BOOL, PN_UBYTE, PN_BYTE, PN_USHORT, PN_SHORT, PN_UINT,
                                      PN_INT, PN_CHAR, PN_ULONG, PN_LONG, PN_TIMESTAMP, PN_FLOAT, PN_DOUBLE,
                                      PN_DECIMAL32, PN_DECIMAL64, PN_DECIMAL128, PN_UUID, PN_BINARY,
                                      PN_STRING, PN_SYMBOL};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
      char l[80];
      snprintf(l, sizeof l, "array of %s (two elements: zero-ish and small)", pn_type_name(types[i]));
      begin(l);
      pn_data_put_array(D, false, types[i]);
      pn_data_enter(D);
      for (int k = 0; k < 2; k++) {
        pn_atom_t a;
        memset(&a, 0, sizeof a);
        a.type = types[i];
        switch (types[i]) {
        case PN_BOOL: a.u.as_bool = k; break;
        case PN_UBYTE: a.u.as_ubyte = (uint8_t)k; break;
        case PN_BYTE: a.u.as_byte = (int8_t)-k; break;
        case PN_USHORT: a.u.as_ushort = (uint16_t)k; break;
        case PN_SHORT: a.u.as_short = (int16_t)-k; break;
        case PN_UINT: a.u.as_uint = (uint32_t)k; break;
        case PN_INT: a.u.as_int = -k; break;
        case PN_CHAR: a.u.as_char = (pn_char_t)('a' + k); break;
        case PN_ULONG: a.u.as_ulong = (uint64_t)k; break;
        case PN_LONG: a.u.as_long = -k; break;
        case PN_TIMESTAMP: a.u.as_timestamp = k; break;
        case PN_FLOAT: a.u.as_float = (float)k + 0.5f; break;
        case PN_DOUBLE: a.u.as_double = k + 0.25; break;
        case PN_DECIMAL32: a.u.as_decimal32 = (uint32_t)k; break;
        case PN_DECIMAL64: a.u.as_decimal64 = (uint64_t)k; break;
        case PN_DECIMAL128: a.u.as_decimal128.bytes[15] = (char)k; break;
        case PN_UUID: a.u.as_uuid.bytes[0] = (char)k; break;
        case PN_BINARY: a.u.as_bytes = pn_bytes((size_t)k, "\x01\x02"); break;
        case PN_STRING: a.u.as_bytes = pn_bytes((size_t)k, "s"); break;
        case PN_SYMBOL: a.u.as_bytes = pn_bytes((size_t)k + 1, "ab"); break;
        default: break;
        }
        int rc = pn_data_put_atom(D, a);
        if (rc) printf("  put_atom rc=%d\n", rc);
      }
      pn_data_exit(D);
      show_all(D);
    }
  }

  begin("array of ulong with large element (element constructor choice)");
  pn_data_put_array(D, false, PN_ULONG);
  pn_data_enter(D);
  pn_data_put_ulong(D, 0);
  pn_data_put_ulong(D, 5);
  pn_data_put_ulong(D, UINT64_MAX);
  pn_data_exit(D);
  show_all(D);

  begin("array of 3 strings a b c");
  pn_data_put_array(D, false, PN_STRING);
  pn_data_enter(D);
  str(D, "a");
  str(D, "b");
  str(D, "c");
  pn_data_exit(D);
  show_all(D);

  begin("array of string with one 300-byte element");
  {
    static char s[301];
    memset(s, 'z', 300);
    pn_data_put_array(D, false, PN_STRING);
    pn_data_enter(D);
    str(D, "a");
    str(D, s);
    pn_data_exit(D);
    show_all(D);
  }

  begin("array of 100 ints (array32 boundary)");
  pn_data_put_array(D, false, PN_INT);
  pn_data_enter(D);
  for (int i = 0; i < 100; i++) pn_data_put_int(D, i);
  pn_data_exit(D);
  show_all(D);

  begin("described array :desc [\"a\", \"b\"]");
  printf("  put_array=%d\n", pn_data_put_array(D, true, PN_STRING));
  pn_data_enter(D);
  sym(D, "desc");
  str(D, "a");
  str(D, "b");
  pn_data_exit(D);
  show_all(D);
  show_walk(D);

  begin("described array with ulong descriptor, int elements");
  pn_data_put_array(D, true, PN_INT);
  pn_data_enter(D);
  pn_data_put_ulong(D, 0x77);
  pn_data_put_int(D, 1);
  pn_data_put_int(D, -1);
  pn_data_exit(D);
  show_all(D);

  begin("described array, descriptor only");
  pn_data_put_array(D, true, PN_SYMBOL);
  pn_data_enter(D);
  sym(D, "only-desc");
  pn_data_exit(D);
  show_all(D);
  show_walk(D);

  begin("array of lists");
  pn_data_put_array(D, false, PN_LIST);
  pn_data_enter(D);
  pn_data_put_list(D);
  pn_data_enter(D);
  pn_data_put_int(D, 1);
  str(D, "one");
  pn_data_exit(D);
  pn_data_put_list(D);
  pn_data_put_list(D);
  pn_data_enter(D);
  pn_data_put_null(D);
  pn_data_exit(D);
  pn_data_exit(D);
  show_all(D);
  show_walk(D);

  begin("array of maps");
  pn_data_put_array(D, false, PN_MAP);
  pn_data_enter(D);
  pn_data_put_map(D);
  pn_data_enter(D);
  sym(D, "a");
  pn_data_put_int(D, 1);
  pn_data_exit(D);
  pn_data_put_map(D);
  pn_data_exit(D);
  show_all(D);
  show_walk(D);

  /* 0.37 writes the 0x00 of the shared constructor once and then every element's descriptor
   * and value (00 53 24 45 | 53 24 45), which it cannot decode itself: encoding is info. */
  begin("array of described (same descriptor)");
  pn_data_put_array(D, false, PN_DESCRIBED);
  pn_data_enter(D);
  for (int i = 0; i < 2; i++) {
    pn_data_put_described(D);
    pn_data_enter(D);
    pn_data_put_ulong(D, 0x24);
    pn_data_put_list(D);
    pn_data_exit(D);
  }
  pn_data_exit(D);
  show_all_info(D);
  show_walk(D);

  begin("array of arrays");
  pn_data_put_array(D, false, PN_ARRAY);
  pn_data_enter(D);
  pn_data_put_array(D, false, PN_INT);
  pn_data_enter(D);
  pn_data_put_int(D, 7);
  pn_data_exit(D);
  pn_data_put_array(D, false, PN_INT);
  pn_data_enter(D);
  pn_data_put_int(D, 8);
  pn_data_put_int(D, 9);
  pn_data_exit(D);
  pn_data_exit(D);
  show_all(D);
  show_walk(D);

  begin("described @:foo \"bar\"");
  printf("  put_described=%d\n", pn_data_put_described(D));
  printf("  is_described=%d\n", pn_data_is_described(D));
  pn_data_enter(D);
  sym(D, "foo");
  str(D, "bar");
  pn_data_exit(D);
  show_all(D);
  show_walk(D);

  begin("described with ulong descriptor and list (accepted)");
  pn_data_put_described(D);
  pn_data_enter(D);
  pn_data_put_ulong(D, 0x24);
  pn_data_put_list(D);
  pn_data_exit(D);
  show_all(D);

  begin("described in described");
  pn_data_put_described(D);
  pn_data_enter(D);
  sym(D, "outer");
  pn_data_put_described(D);
  pn_data_enter(D);
  sym(D, "inner");
  pn_data_put_int(D, 5);
  pn_data_exit(D);
  pn_data_exit(D);
  show_all(D);
  show_walk(D);

  begin("described with map value and list descriptor");
  pn_data_put_described(D);
  pn_data_enter(D);
  pn_data_put_list(D);
  pn_data_put_map(D);
  pn_data_enter(D);
  sym(D, "x");
  pn_data_put_long(D, -5);
  pn_data_exit(D);
  pn_data_exit(D);
  show_all(D);

  begin("deep nesting: 40 lists");
  for (int i = 0; i < 40; i++) {
    pn_data_put_list(D);
    pn_data_enter(D);
    pn_data_put_int(D, i);
  }
  for (int i = 0; i < 40; i++) pn_data_exit(D);
  show_all(D);

  begin("deep nesting: maps/lists/arrays/described mixed");
  pn_data_put_map(D);
  pn_data_enter(D);
  str(D, "list");
  pn_data_put_list(D);
  pn_data_enter(D);
  pn_data_put_array(D, true, PN_LIST);
  pn_data_enter(D);
  sym(D, "d");
  pn_data_put_list(D);
  pn_data_enter(D);
  pn_data_put_map(D);
  pn_data_enter(D);
  pn_data_put_described(D);
  pn_data_enter(D);
  pn_data_put_ulong(D, 1);
  pn_data_put_uint(D, 2);
  pn_data_exit(D);
  pn_data_put_null(D);
  pn_data_exit(D);
  pn_data_exit(D);
  pn_data_exit(D);
  pn_data_put_timestamp(D, 99);
  pn_data_exit(D);
  str(D, "end");
  pn_data_put_double(D, 1.25);
  pn_data_exit(D);
  show_all(D);
  show_walk(D);

  begin("several top-level containers");
  pn_data_put_list(D);
  pn_data_put_map(D);
  pn_data_put_array(D, false, PN_BOOL);
  pn_data_put_int(D, 4);
  pn_data_put_described(D);
  pn_data_enter(D);
  pn_data_put_int(D, 1);
  pn_data_put_int(D, 2);
  pn_data_exit(D);
  show_all(D);
  show_walk(D);

  /* Decoding concatenated values one at a time: each call appends one top-level value. */
  printf("== decode concatenated values\n");
  {
    static char buf[4096];
    ssize_t n = pn_data_encode(D, buf, sizeof buf);
    pn_data_t *e = pn_data(1);
    size_t off = 0;
    while (off < (size_t)n) {
      ssize_t m = pn_data_decode(e, buf + off, (size_t)n - off);
      printf("  decode at %zu -> %zd size=%zu cursor ", off, m, pn_data_size(e));
      print_cursor(e);
      printf("\n");
      if (m <= 0) break;
      off += (size_t)m;
    }
    show_format("  all", e);
    show_walk(e);
    /* Decode again into the same (non-empty) data: values are appended. */
    ssize_t m = pn_data_decode(e, buf, (size_t)n);
    printf("  decode again -> %zd size=%zu\n", m, pn_data_size(e));
    show_format("  appended", e);
    /* Decode after rewind: inserted where? */
    pn_data_rewind(e);
    m = pn_data_decode(e, "\x54\x07", 2);
    printf("  decode after rewind -> %zd size=%zu\n", m, pn_data_size(e));
    show_format("  after-rewind", e);
    /* Decode while entered in a list. */
    pn_data_clear(e);
    pn_data_put_list(e);
    pn_data_enter(e);
    m = pn_data_decode(e, "\x54\x08", 2);
    printf("  decode inside list -> %zd\n", m);
    pn_data_exit(e);
    show_format("  inside-list", e);
    pn_data_free(e);
  }

  pn_data_free(D);
  return 0;
}
