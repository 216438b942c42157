/* codec_scalars: every pn_data_put_* / pn_data_get_* pair for every scalar type, with edge
 * values (0, min, max, small-int encoding boundaries, NaN/inf/-0.0, empty and long
 * binary/string/symbol, escaping in the formatted text).  For each value it prints the put
 * return code, the value read back (typed getter and pn_data_get_atom), pn_data_type, the
 * formatted text, the encoding in hex and the result of decoding that encoding again. */
#include "common.h"

#include <float.h>

static pn_data_t *D;

/* After a put: report rc and everything observable about the single top-level value. */
static void begin(const char *label)
{
  pn_data_clear(D);
  printf("== %s\n", label);
}

static void after_put(int rc)
{
  printf("  put rc=%d size=%zu cursor ", rc, pn_data_size(D));
  print_cursor(D);
  printf("\n  atom ");
  print_atom(pn_data_get_atom(D));
  printf("\n  ");
  show_format("format", D);
  printf("  ");
  show_encoding("encoding", D);
  printf("  ");
  roundtrip("rt", D);
  pn_data_rewind(D);
  printf("  after rewind: ");
  print_cursor(D);
  printf(" next=%d ", pn_data_next(D));
  print_cursor(D);
  printf(" next=%d\n", pn_data_next(D));
  pn_data_rewind(D);
  pn_data_next(D);
}

static void t_null(void)
{
  begin("null");
  after_put(pn_data_put_null(D));
  printf("  is_null=%d is_described=%d\n", pn_data_is_null(D), pn_data_is_described(D));
}

static void t_bool(bool v)
{
  char l[64];
  snprintf(l, sizeof l, "bool %d", v);
  begin(l);
  after_put(pn_data_put_bool(D, v));
  printf("  get_bool=%d is_null=%d\n", pn_data_get_bool(D), pn_data_is_null(D));
}

static void t_ubyte(uint8_t v)
{
  char l[64];
  snprintf(l, sizeof l, "ubyte %u", v);
  begin(l);
  after_put(pn_data_put_ubyte(D, v));
  printf("  get_ubyte=%u\n", pn_data_get_ubyte(D));
}

static void t_byte(int8_t v)
{
  char l[64];
  snprintf(l, sizeof l, "byte %d", v);
  begin(l);
  after_put(pn_data_put_byte(D, v));
  printf("  get_byte=%d\n", pn_data_get_byte(D));
}

static void t_ushort(uint16_t v)
{
  char l[64];
  snprintf(l, sizeof l, "ushort %u", v);
  begin(l);
  after_put(pn_data_put_ushort(D, v));
  printf("  get_ushort=%u\n", pn_data_get_ushort(D));
}

static void t_short(int16_t v)
{
  char l[64];
  snprintf(l, sizeof l, "short %d", v);
  begin(l);
  after_put(pn_data_put_short(D, v));
  printf("  get_short=%d\n", pn_data_get_short(D));
}

static void t_uint(uint32_t v)
{
  char l[64];
  snprintf(l, sizeof l, "uint %" PRIu32, v);
  begin(l);
  after_put(pn_data_put_uint(D, v));
  printf("  get_uint=%" PRIu32 "\n", pn_data_get_uint(D));
}

static void t_int(int32_t v)
{
  char l[64];
  snprintf(l, sizeof l, "int %" PRId32, v);
  begin(l);
  after_put(pn_data_put_int(D, v));
  printf("  get_int=%" PRId32 "\n", pn_data_get_int(D));
}

static void t_char(pn_char_t v)
{
  char l[64];
  snprintf(l, sizeof l, "char U+%04" PRIX32, v);
  begin(l);
  after_put(pn_data_put_char(D, v));
  printf("  get_char=U+%04" PRIX32 "\n", pn_data_get_char(D));
}

static void t_ulong(uint64_t v)
{
  char l[64];
  snprintf(l, sizeof l, "ulong %" PRIu64, v);
  begin(l);
  after_put(pn_data_put_ulong(D, v));
  printf("  get_ulong=%" PRIu64 "\n", pn_data_get_ulong(D));
}

static void t_long(int64_t v)
{
  char l[64];
  snprintf(l, sizeof l, "long %" PRId64, v);
  begin(l);
  after_put(pn_data_put_long(D, v));
  printf("  get_long=%" PRId64 "\n", pn_data_get_long(D));
}

static void t_timestamp(pn_timestamp_t v)
{
  char l[64];
  snprintf(l, sizeof l, "timestamp %" PRId64, v);
  begin(l);
  after_put(pn_data_put_timestamp(D, v));
  printf("  get_timestamp=%" PRId64 "\n", pn_data_get_timestamp(D));
}

static void t_float(const char *name, float v)
{
  char l[64];
  snprintf(l, sizeof l, "float %s", name);
  begin(l);
  after_put(pn_data_put_float(D, v));
  printf("  get_float=");
  print_float(pn_data_get_float(D));
  printf("\n");
}

static void t_double(const char *name, double v)
{
  char l[64];
  snprintf(l, sizeof l, "double %s", name);
  begin(l);
  after_put(pn_data_put_double(D, v));
  printf("  get_double=");
  print_double(pn_data_get_double(D));
  printf("\n");
}

static void t_decimal32(pn_decimal32_t v)
{
  char l[64];
  snprintf(l, sizeof l, "decimal32 %" PRIu32, v);
  begin(l);
  after_put(pn_data_put_decimal32(D, v));
  printf("  get_decimal32=%" PRIu32 "\n", pn_data_get_decimal32(D));
}

static void t_decimal64(pn_decimal64_t v)
{
  char l[64];
  snprintf(l, sizeof l, "decimal64 %" PRIu64, v);
  begin(l);
  after_put(pn_data_put_decimal64(D, v));
  printf("  get_decimal64=%" PRIu64 "\n", pn_data_get_decimal64(D));
}

static void t_decimal128(const char *name, const char bytes[16])
{
  char l[64];
  pn_decimal128_t v;
  memcpy(v.bytes, bytes, 16);
  snprintf(l, sizeof l, "decimal128 %s", name);
  begin(l);
  after_put(pn_data_put_decimal128(D, v));
  pn_decimal128_t g = pn_data_get_decimal128(D);
  printf("  get_decimal128=");
  print_hex(g.bytes, 16);
  printf("\n");
}

static void t_uuid(const char *name, const char bytes[16])
{
  char l[64];
  pn_uuid_t v;
  memcpy(v.bytes, bytes, 16);
  snprintf(l, sizeof l, "uuid %s", name);
  begin(l);
  after_put(pn_data_put_uuid(D, v));
  pn_uuid_t g = pn_data_get_uuid(D);
  printf("  get_uuid=");
  print_hex(g.bytes, 16);
  printf("\n");
}

enum bkind { BIN, STR, SYM };

static void t_bytes(enum bkind k, const char *name, pn_bytes_t v)
{
  static const char *kn[] = {"binary", "string", "symbol"};
  char l[96];
  snprintf(l, sizeof l, "%s %s (%zu bytes)", kn[k], name, v.size);
  begin(l);
  int rc = k == BIN ? pn_data_put_binary(D, v) : k == STR ? pn_data_put_string(D, v) : pn_data_put_symbol(D, v);
  after_put(rc);
  pn_bytes_t g = k == BIN ? pn_data_get_binary(D) : k == STR ? pn_data_get_string(D) : pn_data_get_symbol(D);
  printf("  get_%s: size=%zu equal=%s\n", kn[k], g.size,
         (g.size == v.size && (v.size == 0 || memcmp(g.start, v.start, v.size) == 0)) ? "yes" : "no");
  pn_bytes_t gb = pn_data_get_bytes(D);
  printf("  get_bytes: size=%zu same_as_typed=%s\n", gb.size,
         (gb.size == g.size && gb.start == g.start) ? "yes" : "no");
  /* Bytes are copied into the data object, not referenced. */
  printf("  copied=%s\n", (v.size == 0 || g.start != v.start) ? "yes" : "no");
}

int main(void)
{
  D = pn_data(0);

  t_null();
  t_bool(true);
  t_bool(false);

  t_ubyte(0);
  t_ubyte(1);
  t_ubyte(127);
  t_ubyte(128);
  t_ubyte(255);

  t_byte(0);
  t_byte(-1);
  t_byte(127);
  t_byte(-128);

  t_ushort(0);
  t_ushort(255);
  t_ushort(256);
  t_ushort(65535);

  t_short(0);
  t_short(-1);
  t_short(32767);
  t_short(-32768);

  t_uint(0);
  t_uint(1);
  t_uint(255);
  t_uint(256);
  t_uint(65536);
  t_uint(UINT32_MAX);

  t_int(0);
  t_int(1);
  t_int(-1);
  t_int(127);
  t_int(128);
  t_int(-128);
  t_int(-129);
  t_int(255);
  t_int(256);
  t_int(INT32_MAX);
  t_int(INT32_MIN);

  t_char(0x41);
  t_char(0x0);
  t_char(0x3a);
  t_char(0xe9);
  t_char(0x20ac);
  t_char(0x10ffff);

  t_ulong(0);
  t_ulong(1);
  t_ulong(255);
  t_ulong(256);
  t_ulong(UINT32_MAX);
  t_ulong((uint64_t)UINT32_MAX + 1);
  t_ulong(UINT64_MAX);

  t_long(0);
  t_long(1);
  t_long(-1);
  t_long(127);
  t_long(128);
  t_long(-128);
  t_long(-129);
  t_long(INT32_MAX);
  t_long((int64_t)INT32_MIN - 1);
  t_long(INT64_MAX);
  t_long(INT64_MIN);

  t_timestamp(0);
  t_timestamp(1);
  t_timestamp(-1);
  t_timestamp(1700000000000LL);
  t_timestamp(INT64_MAX);
  t_timestamp(INT64_MIN);

  t_float("0", 0.0f);
  t_float("-0.0", -0.0f);
  t_float("1.5", 1.5f);
  t_float("-2.25", -2.25f);
  t_float("0.1", 0.1f);
  t_float("3.14159", 3.14159f);
  t_float("1e20", 1e20f);
  t_float("FLT_MAX", FLT_MAX);
  t_float("FLT_MIN", FLT_MIN);
  t_float("denormal", 1e-45f);
  t_float("inf", INFINITY);
  t_float("-inf", -INFINITY);
  t_float("nan", NAN);
  t_float("-nan", -NAN);
  t_float("123456789", 123456789.0f);

  t_double("0", 0.0);
  t_double("-0.0", -0.0);
  t_double("1.5", 1.5);
  t_double("0.1", 0.1);
  t_double("3.14159", 3.14159);
  t_double("1e20", 1e20);
  t_double("1e-300", 1e-300);
  t_double("123456.5", 123456.5);
  t_double("1234567.0", 1234567.0);
  t_double("DBL_MAX", DBL_MAX);
  t_double("DBL_MIN", DBL_MIN);
  t_double("denormal", 5e-324);
  t_double("inf", INFINITY);
  t_double("-inf", -INFINITY);
  t_double("nan", (double)NAN);
  t_double("-nan", -(double)NAN);

  t_decimal32(0);
  t_decimal32(7);
  t_decimal32(UINT32_MAX);
  t_decimal64(0);
  t_decimal64(8);
  t_decimal64(UINT64_MAX);

  char seq[16], zero[16], ff[16];
  for (int i = 0; i < 16; i++) {
    seq[i] = (char)i;
    zero[i] = 0;
    ff[i] = (char)0xff;
  }
  t_decimal128("zero", zero);
  t_decimal128("seq", seq);
  t_decimal128("ff", ff);
  t_uuid("zero", zero);
  t_uuid("seq", seq);
  t_uuid("ff", ff);

  static char big[70000];
  for (size_t i = 0; i < sizeof big; i++) big[i] = (char)('a' + i % 26);
  static char allbytes[256];
  for (int i = 0; i < 256; i++) allbytes[i] = (char)i;

  for (int k = BIN; k <= SYM; k++) {
    t_bytes(k, "empty NULL start", pn_bytes(0, NULL));
    t_bytes(k, "empty", pn_bytes(0, ""));
    t_bytes(k, "abc", pn_bytes(3, "abc"));
    t_bytes(k, "ABCxyz", pn_bytes(6, "ABCxyz"));
    t_bytes(k, "a1", pn_bytes(2, "a1"));
    t_bytes(k, "a_b", pn_bytes(3, "a_b"));
    t_bytes(k, "a-b.c:1", pn_bytes(7, "a-b.c:1"));
    t_bytes(k, "space", pn_bytes(9, "has space"));
    t_bytes(k, "quotes", pn_bytes(11, "q\"x'y\\z\"q'"));
    t_bytes(k, "controls", pn_bytes(8, "\n\t\r\x01\x1f\x7f\x00z"));
    t_bytes(k, "utf8", pn_bytes(7, "h\xc3\xa9llo"));
    t_bytes(k, "euro", pn_bytes(3, "\xe2\x82\xac"));
    t_bytes(k, "all 256 byte values", pn_bytes(256, allbytes));
    t_bytes(k, "255 bytes", pn_bytes(255, big));
    t_bytes(k, "256 bytes", pn_bytes(256, big));
    t_bytes(k, "300 bytes", pn_bytes(300, big));
    t_bytes(k, "65536 bytes", pn_bytes(65536, big));
  }

  /* Several scalars side by side at top level: joined with ", ". */
  pn_data_clear(D);
  printf("== several top-level scalars\n");
  pn_data_put_int(D, 1);
  pn_data_put_string(D, pn_bytes(1, "x"));
  pn_data_put_null(D);
  pn_data_put_bool(D, false);
  pn_data_put_symbol(D, pn_bytes(1, "s"));
  pn_data_put_double(D, 2.5);
  show_format("  format", D);
  show_encoding("  encoding", D);
  roundtrip("  rt", D);

  pn_data_free(D);
  return 0;
}
