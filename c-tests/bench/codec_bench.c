/*
 * codec_bench.c - message / pn_data codec micro-benchmark.
 *
 * Uses only the public proton-c API (<proton/message.h>, <proton/codec.h>),
 * so the same binary runs against Debian's libqpid-proton.so.11 and against
 * ours (LD_LIBRARY_PATH=<dir with our libqpid-proton.so.11>).  See run.sh.
 *
 * Cases (each auto-calibrated to ~T seconds, -t T, default 0.5):
 *   msg_encode        pn_message_encode of a prepared "typical" message
 *   msg_decode        pn_message_clear + pn_message_decode + read a few
 *                     fields, the properties map header and the body bytes
 *   msg_build_encode  pn_message_clear, set every field, fill properties and
 *                     body, pn_message_encode (what a messenger sender does)
 *   data_encode       pn_data_encode of a nested tree
 *   data_decode       pn_data_clear + pn_data_decode + full traversal reading
 *                     every node with the matching pn_data_get_*
 * Extras (allocation behaviour of a fresh object, as bindings do):
 *   msg_fresh_build_encode  pn_message + build + encode + pn_message_free
 *   msg_fresh_decode        pn_message + decode + read + pn_message_free
 *
 * Output (one record per line, space separated, stable for scripts):
 *   LIB <path of the mapped libqpid-proton, from /proc/self/maps>
 *   ALLOC_COUNTER yes|no
 *   ENCODING <case> len=<bytes> fnv1a=<16 hex digits>
 *   HEX <case> <hex>                      (only with -d)
 *   CASE <name> iters=<n> ns_per_op=<f> allocs_per_op=<f|n/a> frees_per_op=<f|n/a> bytes_per_op=<f|n/a>
 *
 * Allocation counts come from malloc_count.so (LD_PRELOAD), found at run
 * time with dlsym(RTLD_DEFAULT, "malloc_count_get"); without it: n/a.
 *
 * Exit status: 0 ok, 2 usage, 3 an API call failed or a sanity check on the
 * library's results failed (the numbers would be meaningless).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <proton/codec.h>
#include <proton/message.h>

#include "malloc_count.h"

#define ENC_CAP 16384

static double target_seconds = 0.5;
static uint64_t fixed_iters = 0;
static const char *case_filter = NULL;
static bool dump_hex = false;

static malloc_count_get_fn count_get;
static volatile uint64_t sink; /* defeats dead-code elimination */

static void die(const char *what, int code)
{
  fprintf(stderr, "codec_bench: %s failed (%d)\n", what, code);
  exit(3);
}

static void fail(const char *msg)
{
  fprintf(stderr, "codec_bench: sanity check failed: %s\n", msg);
  exit(3);
}

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t fnv1a(const char *p, size_t n)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

static void print_encoding(const char *name, const char *p, size_t n)
{
  printf("ENCODING %s len=%zu fnv1a=%016" PRIx64 "\n", name, n, fnv1a(p, n));
  if (dump_hex) {
    printf("HEX %s ", name);
    for (size_t i = 0; i < n; i++) printf("%02x", (unsigned char)p[i]);
    printf("\n");
  }
}

/* ------------------------------------------------------------------ */
/* The typical message                                                 */

#define BODY_SIZE 1024

static const char *M_ADDRESS = "amqp://broker.example.com:5672/orders.incoming";
static const char *M_SUBJECT = "order-created";
static const char *M_REPLY_TO = "amqp://client-7f3a.example.com/replies";
static const uint64_t M_ID = 1234567890123ULL;
static const char *M_CORRELATION = "corr-7f3a9c2e-00000001";
static const char *M_CONTENT_TYPE = "application/octet-stream";
static const pn_timestamp_t M_CREATION = 1700000000123LL;
static char body_bytes[BODY_SIZE];

static void fill_properties(pn_data_t *p)
{
  pn_data_put_map(p);
  pn_data_enter(p);
  pn_data_put_string(p, pn_bytes(6, "source"));
  pn_data_put_string(p, pn_bytes(12, "web-frontend"));
  pn_data_put_string(p, pn_bytes(6, "region"));
  pn_data_put_string(p, pn_bytes(9, "eu-west-1"));
  pn_data_put_string(p, pn_bytes(7, "retries"));
  pn_data_put_long(p, 3);
  pn_data_put_string(p, pn_bytes(8, "sequence"));
  pn_data_put_long(p, 9876543210LL);
  pn_data_put_string(p, pn_bytes(6, "urgent"));
  pn_data_put_bool(p, true);
  pn_data_put_string(p, pn_bytes(11, "redelivered"));
  pn_data_put_bool(p, false);
  pn_data_put_string(p, pn_bytes(5, "score"));
  pn_data_put_double(p, 0.875);
  pn_data_put_string(p, pn_bytes(10, "latency-ms"));
  pn_data_put_double(p, 12.5);
  pn_data_exit(p);
}
#define N_PROPERTY_ENTRIES 16 /* keys + values */

static void build_message(pn_message_t *m)
{
  pn_msgid_t id, corr;
  int err;
  pn_message_clear(m);
  if ((err = pn_message_set_address(m, M_ADDRESS))) die("pn_message_set_address", err);
  if ((err = pn_message_set_subject(m, M_SUBJECT))) die("pn_message_set_subject", err);
  if ((err = pn_message_set_reply_to(m, M_REPLY_TO))) die("pn_message_set_reply_to", err);
  memset(&id, 0, sizeof id);
  id.type = PN_ULONG;
  id.u.as_ulong = M_ID;
  if ((err = pn_message_set_id(m, id))) die("pn_message_set_id", err);
  memset(&corr, 0, sizeof corr);
  corr.type = PN_STRING;
  corr.u.as_bytes = pn_bytes(strlen(M_CORRELATION), M_CORRELATION);
  if ((err = pn_message_set_correlation_id(m, corr))) die("pn_message_set_correlation_id", err);
  if ((err = pn_message_set_content_type(m, M_CONTENT_TYPE))) die("pn_message_set_content_type", err);
  if ((err = pn_message_set_creation_time(m, M_CREATION))) die("pn_message_set_creation_time", err);
  fill_properties(pn_message_properties(m));
  if ((err = pn_data_put_binary(pn_message_body(m), pn_bytes(BODY_SIZE, body_bytes))))
    die("pn_data_put_binary(body)", err);
}

/* ------------------------------------------------------------------ */
/* The nested pn_data tree                                             */
/*
 * map {
 *   "key-00" .. "key-09" -> list of 10 mixed scalars (16 scalar kinds rotated)
 *   "described"          -> @:"com.example:record" "described payload"
 *   "ints"               -> @PN_INT[0, 1, ..., 49] * 37 - 900
 * }
 */

static char tree_strings[10][10][24];
static char tree_keys[10][8];

static void put_scalar(pn_data_t *d, int i, int j)
{
  int k = (i * 10 + j) % 16;
  int64_t v = (int64_t)(i * 10 + j) * 7919 - 250000;
  const char *s = tree_strings[i][j];
  switch (k) {
  case 0: pn_data_put_null(d); break;
  case 1: pn_data_put_bool(d, (v & 1) != 0); break;
  case 2: pn_data_put_ubyte(d, (uint8_t)v); break;
  case 3: pn_data_put_short(d, (int16_t)v); break;
  case 4: pn_data_put_int(d, (int32_t)v); break;
  case 5: pn_data_put_uint(d, (uint32_t)(v * 3)); break;
  case 6: pn_data_put_long(d, v * 1000003LL); break;
  case 7: pn_data_put_ulong(d, (uint64_t)v * 2654435761ULL); break;
  case 8: pn_data_put_float(d, (float)v / 8.0f); break;
  case 9: pn_data_put_double(d, (double)v / 3.0); break;
  case 10: pn_data_put_timestamp(d, 1700000000000LL + v); break;
  case 11: {
    pn_uuid_t u;
    for (int b = 0; b < 16; b++) u.bytes[b] = (char)(v + b * 17);
    pn_data_put_uuid(d, u);
    break;
  }
  case 12: pn_data_put_string(d, pn_bytes(strlen(s), s)); break;
  case 13: pn_data_put_symbol(d, pn_bytes(strlen(s), s)); break;
  case 14: pn_data_put_binary(d, pn_bytes(strlen(s), s)); break;
  default: pn_data_put_char(d, (pn_char_t)(0x41 + (i + j) % 26)); break;
  }
}

static void build_tree(pn_data_t *d)
{
  for (int i = 0; i < 10; i++) {
    snprintf(tree_keys[i], sizeof tree_keys[i], "key-%02d", i);
    for (int j = 0; j < 10; j++)
      snprintf(tree_strings[i][j], sizeof tree_strings[i][j], "value-%d-%d", i, j);
  }
  pn_data_clear(d);
  pn_data_put_map(d);
  pn_data_enter(d);
  for (int i = 0; i < 10; i++) {
    pn_data_put_string(d, pn_bytes(strlen(tree_keys[i]), tree_keys[i]));
    pn_data_put_list(d);
    pn_data_enter(d);
    for (int j = 0; j < 10; j++) put_scalar(d, i, j);
    pn_data_exit(d);
  }
  pn_data_put_string(d, pn_bytes(9, "described"));
  pn_data_put_described(d);
  pn_data_enter(d);
  pn_data_put_symbol(d, pn_bytes(18, "com.example:record"));
  pn_data_put_string(d, pn_bytes(17, "described payload"));
  pn_data_exit(d);
  pn_data_put_string(d, pn_bytes(4, "ints"));
  pn_data_put_array(d, false, PN_INT);
  pn_data_enter(d);
  for (int j = 0; j < 50; j++) pn_data_put_int(d, j * 37 - 900);
  pn_data_exit(d);
  pn_data_exit(d);
}

static uint64_t fold_bytes(uint64_t h, pn_bytes_t b)
{
  h = mix(h, b.size);
  if (b.size) h = mix(h, (unsigned char)b.start[0] | ((uint64_t)(unsigned char)b.start[b.size - 1] << 8));
  return h;
}

/* Visit every node after the cursor (siblings and, recursively, children),
   reading each with the matching getter.  Returns a value hash. */
static uint64_t walk(pn_data_t *d, uint64_t h, uint64_t *nodes)
{
  while (pn_data_next(d)) {
    pn_type_t t = pn_data_type(d);
    (*nodes)++;
    h = mix(h, (uint64_t)t);
    switch (t) {
    case PN_NULL: break;
    case PN_BOOL: h = mix(h, pn_data_get_bool(d)); break;
    case PN_UBYTE: h = mix(h, pn_data_get_ubyte(d)); break;
    case PN_BYTE: h = mix(h, (uint64_t)pn_data_get_byte(d)); break;
    case PN_USHORT: h = mix(h, pn_data_get_ushort(d)); break;
    case PN_SHORT: h = mix(h, (uint64_t)pn_data_get_short(d)); break;
    case PN_UINT: h = mix(h, pn_data_get_uint(d)); break;
    case PN_INT: h = mix(h, (uint64_t)pn_data_get_int(d)); break;
    case PN_CHAR: h = mix(h, pn_data_get_char(d)); break;
    case PN_ULONG: h = mix(h, pn_data_get_ulong(d)); break;
    case PN_LONG: h = mix(h, (uint64_t)pn_data_get_long(d)); break;
    case PN_TIMESTAMP: h = mix(h, (uint64_t)pn_data_get_timestamp(d)); break;
    case PN_FLOAT: {
      float f = pn_data_get_float(d);
      uint32_t u;
      memcpy(&u, &f, 4);
      h = mix(h, u);
      break;
    }
    case PN_DOUBLE: {
      double f = pn_data_get_double(d);
      uint64_t u;
      memcpy(&u, &f, 8);
      h = mix(h, u);
      break;
    }
    case PN_DECIMAL32: h = mix(h, pn_data_get_decimal32(d)); break;
    case PN_DECIMAL64: h = mix(h, pn_data_get_decimal64(d)); break;
    case PN_DECIMAL128: {
      pn_decimal128_t x = pn_data_get_decimal128(d);
      h = fold_bytes(h, pn_bytes(16, x.bytes));
      break;
    }
    case PN_UUID: {
      pn_uuid_t x = pn_data_get_uuid(d);
      h = fold_bytes(h, pn_bytes(16, x.bytes));
      break;
    }
    case PN_BINARY: h = fold_bytes(h, pn_data_get_binary(d)); break;
    case PN_STRING: h = fold_bytes(h, pn_data_get_string(d)); break;
    case PN_SYMBOL: h = fold_bytes(h, pn_data_get_symbol(d)); break;
    case PN_DESCRIBED:
      pn_data_enter(d);
      h = walk(d, h, nodes);
      pn_data_exit(d);
      break;
    case PN_LIST:
      h = mix(h, pn_data_get_list(d));
      pn_data_enter(d);
      h = walk(d, h, nodes);
      pn_data_exit(d);
      break;
    case PN_MAP:
      h = mix(h, pn_data_get_map(d));
      pn_data_enter(d);
      h = walk(d, h, nodes);
      pn_data_exit(d);
      break;
    case PN_ARRAY:
      h = mix(h, pn_data_get_array(d));
      h = mix(h, (uint64_t)pn_data_get_array_type(d));
      h = mix(h, pn_data_is_array_described(d));
      pn_data_enter(d);
      h = walk(d, h, nodes);
      pn_data_exit(d);
      break;
    default:
      h = mix(h, 0xdeadULL);
      break;
    }
  }
  return h;
}

/* ------------------------------------------------------------------ */
/* Benchmark state and cases                                           */

static pn_message_t *msg_src;  /* prepared message (msg_encode) */
static pn_message_t *msg_dst;  /* decode target */
static pn_message_t *msg_tmp;  /* build target */
static char msg_enc[ENC_CAP];
static size_t msg_enc_len;
static char scratch[ENC_CAP];

static pn_data_t *tree_src;
static pn_data_t *tree_dst;
static char tree_enc[ENC_CAP];
static size_t tree_enc_len;
static uint64_t tree_nodes, tree_hash;

static void case_msg_encode(uint64_t n)
{
  for (uint64_t i = 0; i < n; i++) {
    size_t size = sizeof scratch;
    int err = pn_message_encode(msg_src, scratch, &size);
    if (err) die("pn_message_encode", err);
    sink += size;
  }
}

static uint64_t read_decoded(pn_message_t *m)
{
  uint64_t h = 0;
  const char *addr = pn_message_get_address(m);
  pn_msgid_t id = pn_message_get_id(m);
  pn_msgid_t corr = pn_message_get_correlation_id(m);
  pn_data_t *props = pn_message_properties(m);
  pn_data_t *body = pn_message_body(m);
  h = mix(h, addr ? (unsigned char)addr[0] : 0);
  h = mix(h, id.u.as_ulong);
  h = fold_bytes(h, corr.u.as_bytes);
  pn_data_rewind(props);
  if (pn_data_next(props)) h = mix(h, pn_data_get_map(props));
  pn_data_rewind(body);
  if (pn_data_next(body)) h = fold_bytes(h, pn_data_get_binary(body));
  return h;
}

static void case_msg_decode(uint64_t n)
{
  for (uint64_t i = 0; i < n; i++) {
    pn_message_clear(msg_dst);
    int err = pn_message_decode(msg_dst, msg_enc, msg_enc_len);
    if (err) die("pn_message_decode", err);
    sink += read_decoded(msg_dst);
  }
}

static void case_msg_build_encode(uint64_t n)
{
  for (uint64_t i = 0; i < n; i++) {
    build_message(msg_tmp);
    size_t size = sizeof scratch;
    int err = pn_message_encode(msg_tmp, scratch, &size);
    if (err) die("pn_message_encode", err);
    sink += size;
  }
}

/* Extras: the same work on a fresh pn_message_t each time (what a binding
   that creates a message object per send/receive does). */
static void case_msg_fresh_build_encode(uint64_t n)
{
  for (uint64_t i = 0; i < n; i++) {
    pn_message_t *m = pn_message();
    build_message(m);
    size_t size = sizeof scratch;
    int err = pn_message_encode(m, scratch, &size);
    if (err) die("pn_message_encode", err);
    sink += size;
    pn_message_free(m);
  }
}

static void case_msg_fresh_decode(uint64_t n)
{
  for (uint64_t i = 0; i < n; i++) {
    pn_message_t *m = pn_message();
    int err = pn_message_decode(m, msg_enc, msg_enc_len);
    if (err) die("pn_message_decode", err);
    sink += read_decoded(m);
    pn_message_free(m);
  }
}

static void case_data_encode(uint64_t n)
{
  for (uint64_t i = 0; i < n; i++) {
    ssize_t r = pn_data_encode(tree_src, scratch, sizeof scratch);
    if (r < 0) die("pn_data_encode", (int)r);
    sink += (uint64_t)r;
  }
}

static void case_data_decode(uint64_t n)
{
  for (uint64_t i = 0; i < n; i++) {
    uint64_t nodes = 0;
    pn_data_clear(tree_dst);
    ssize_t r = pn_data_decode(tree_dst, tree_enc, tree_enc_len);
    if (r < 0) die("pn_data_decode", (int)r);
    pn_data_rewind(tree_dst);
    sink += walk(tree_dst, 0, &nodes) + nodes;
  }
}

/* ------------------------------------------------------------------ */

static void setup_message(void)
{
  int err;
  for (int i = 0; i < BODY_SIZE; i++) body_bytes[i] = (char)((i * 31 + 7) & 0xff);

  msg_src = pn_message();
  msg_dst = pn_message();
  msg_tmp = pn_message();
  if (!msg_src || !msg_dst || !msg_tmp) fail("pn_message() returned NULL");
  build_message(msg_src);
  msg_enc_len = sizeof msg_enc;
  if ((err = pn_message_encode(msg_src, msg_enc, &msg_enc_len))) die("pn_message_encode", err);
  print_encoding("msg_encode", msg_enc, msg_enc_len);
  if (msg_enc_len <= BODY_SIZE) fail("message encoding shorter than its body");

  /* build+encode must give the same bytes */
  build_message(msg_tmp);
  size_t n = sizeof scratch;
  if ((err = pn_message_encode(msg_tmp, scratch, &n))) die("pn_message_encode", err);
  build_message(msg_tmp); /* again: clear must fully reset */
  n = sizeof scratch;
  if ((err = pn_message_encode(msg_tmp, scratch, &n))) die("pn_message_encode", err);
  if (n != msg_enc_len || memcmp(scratch, msg_enc, n))
    fail("msg_build_encode bytes differ from msg_encode bytes");

  /* decode round trip */
  for (int round = 0; round < 2; round++) {
    pn_message_clear(msg_dst);
    if ((err = pn_message_decode(msg_dst, msg_enc, msg_enc_len))) die("pn_message_decode", err);
  }
  const char *s = pn_message_get_address(msg_dst);
  if (!s || strcmp(s, M_ADDRESS)) fail("decoded address");
  s = pn_message_get_subject(msg_dst);
  if (!s || strcmp(s, M_SUBJECT)) fail("decoded subject");
  s = pn_message_get_reply_to(msg_dst);
  if (!s || strcmp(s, M_REPLY_TO)) fail("decoded reply_to");
  s = pn_message_get_content_type(msg_dst);
  if (!s || strcmp(s, M_CONTENT_TYPE)) fail("decoded content_type");
  if (pn_message_get_creation_time(msg_dst) != M_CREATION) fail("decoded creation_time");
  pn_msgid_t id = pn_message_get_id(msg_dst);
  if (id.type != PN_ULONG || id.u.as_ulong != M_ID) fail("decoded message id");
  pn_msgid_t corr = pn_message_get_correlation_id(msg_dst);
  if (corr.type != PN_STRING || corr.u.as_bytes.size != strlen(M_CORRELATION) ||
      memcmp(corr.u.as_bytes.start, M_CORRELATION, corr.u.as_bytes.size))
    fail("decoded correlation id");
  pn_data_t *props = pn_message_properties(msg_dst);
  pn_data_rewind(props);
  if (!pn_data_next(props) || pn_data_type(props) != PN_MAP || pn_data_get_map(props) != N_PROPERTY_ENTRIES)
    fail("decoded application properties map");
  pn_data_t *body = pn_message_body(msg_dst);
  pn_data_rewind(body);
  if (!pn_data_next(body) || pn_data_type(body) != PN_BINARY) fail("decoded body type");
  pn_bytes_t b = pn_data_get_binary(body);
  if (b.size != BODY_SIZE || memcmp(b.start, body_bytes, BODY_SIZE)) fail("decoded body bytes");
  n = sizeof scratch;
  if ((err = pn_message_encode(msg_dst, scratch, &n))) die("pn_message_encode(decoded)", err);
  if (n != msg_enc_len || memcmp(scratch, msg_enc, n)) fail("re-encoding the decoded message changed the bytes");

}

static void setup_tree(void)
{
  ssize_t r, sz;
  tree_src = pn_data(0);
  tree_dst = pn_data(0);
  if (!tree_src || !tree_dst) fail("pn_data() returned NULL");
  build_tree(tree_src);
  pn_data_rewind(tree_src);
  tree_hash = walk(tree_src, 0, &tree_nodes);
  if (tree_nodes != 177) fail("built tree does not have 177 nodes");
  r = pn_data_encode(tree_src, tree_enc, sizeof tree_enc);
  if (r < 0) die("pn_data_encode", (int)r);
  tree_enc_len = (size_t)r;
  sz = pn_data_encoded_size(tree_src);
  if (sz != r) fail("pn_data_encoded_size disagrees with pn_data_encode");
  print_encoding("data_encode", tree_enc, tree_enc_len);
  for (int round = 0; round < 2; round++) {
    uint64_t nodes = 0;
    pn_data_clear(tree_dst);
    r = pn_data_decode(tree_dst, tree_enc, tree_enc_len);
    if (r < 0) die("pn_data_decode", (int)r);
    if ((size_t)r != tree_enc_len) fail("pn_data_decode did not consume the whole encoding");
    pn_data_rewind(tree_dst);
    uint64_t h = walk(tree_dst, 0, &nodes);
    if (nodes != tree_nodes) fail("decoded tree has a different node count");
    if (h != tree_hash) fail("decoded tree has different values");
  }
}

typedef void (*case_fn)(uint64_t);

static bool selected(const char *name)
{
  if (!case_filter) return true;
  size_t len = strlen(name);
  const char *p = case_filter;
  while (*p) {
    const char *e = strchr(p, ',');
    size_t l = e ? (size_t)(e - p) : strlen(p);
    if (l == len && !strncmp(p, name, l)) return true;
    if (!e) break;
    p = e + 1;
  }
  return false;
}

static void run_case(const char *name, case_fn fn)
{
  uint64_t n = fixed_iters;
  if (!selected(name)) return;
  if (!n) {
    /* calibrate: grow until one batch takes >= 1/10 of the target */
    double min = target_seconds / 10;
    if (min > 0.05) min = 0.05;
    n = 1;
    for (;;) {
      double t0 = now_s();
      fn(n);
      double t = now_s() - t0;
      if (t >= min || n >= (1ULL << 40)) {
        double want = target_seconds / (t > 0 ? t : 1e-9) * (double)n;
        n = want < 1 ? 1 : (uint64_t)want;
        break;
      }
      n *= (t < min / 16) ? 8 : 2;
    }
  }
  struct malloc_counts c0 = {0}, c1 = {0};
  if (count_get) count_get(&c0);
  double t0 = now_s();
  fn(n);
  double t = now_s() - t0;
  if (count_get) count_get(&c1);
  printf("CASE %s iters=%" PRIu64 " ns_per_op=%.1f", name, n, t * 1e9 / (double)n);
  if (count_get)
    printf(" allocs_per_op=%.2f frees_per_op=%.2f bytes_per_op=%.1f\n",
           (double)(c1.allocs - c0.allocs) / (double)n,
           (double)(c1.frees - c0.frees) / (double)n,
           (double)(c1.bytes - c0.bytes) / (double)n);
  else
    printf(" allocs_per_op=n/a frees_per_op=n/a bytes_per_op=n/a\n");
  fflush(stdout);
}

static const struct {
  const char *name;
  case_fn fn;
} cases[] = {
  {"msg_encode", case_msg_encode},
  {"msg_decode", case_msg_decode},
  {"msg_build_encode", case_msg_build_encode},
  {"data_encode", case_data_encode},
  {"data_decode", case_data_decode},
  {"msg_fresh_build_encode", case_msg_fresh_build_encode},
  {"msg_fresh_decode", case_msg_fresh_decode},
};

static void print_lib(void)
{
  char line[4096];
  const char *found = NULL;
  static char path[4096];
  FILE *f = fopen("/proc/self/maps", "r");
  if (f) {
    while (fgets(line, sizeof line, f)) {
      char *p = strchr(line, '/');
      if (!p || !strstr(p, "/libqpid-proton.so")) continue;
      p[strcspn(p, "\n")] = 0;
      snprintf(path, sizeof path, "%s", p);
      found = path;
      break;
    }
    fclose(f);
  }
  printf("LIB %s\n", found ? found : "unknown");
}

static void usage(const char *argv0)
{
  fprintf(stderr,
          "usage: %s [-t seconds] [-n iterations] [-c case[,case...]] [-d]\n"
          "  -t  target time per case for auto-calibration (default 0.5)\n"
          "  -n  fixed iteration count (no calibration)\n"
          "  -c  run only these cases (comma separated): msg_encode, msg_decode,\n"
          "      msg_build_encode, data_encode, data_decode, msg_fresh_build_encode,\n"
          "      msg_fresh_decode\n"
          "  -d  also print the hex of the msg_encode and data_encode encodings\n",
          argv0);
  exit(2);
}

int main(int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-t") && i + 1 < argc) {
      target_seconds = atof(argv[++i]);
      if (!(target_seconds > 0)) usage(argv[0]);
    } else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
      fixed_iters = strtoull(argv[++i], NULL, 10);
    } else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
      case_filter = argv[++i];
    } else if (!strcmp(argv[i], "-d")) {
      dump_hex = true;
    } else {
      usage(argv[0]);
    }
  }
  count_get = (malloc_count_get_fn)dlsym(RTLD_DEFAULT, MALLOC_COUNT_GET_NAME);

  print_lib();
  printf("ALLOC_COUNTER %s\n", count_get ? "yes" : "no");
  /* Message cases and pn_data cases only need their own part of the API, so
     a library that has pn_data_* but not yet pn_message_* can run -c data_*
     (symbols are bound lazily). */
  bool want_msg = false, want_tree = false;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if (!selected(cases[i].name)) continue;
    if (!strncmp(cases[i].name, "msg_", 4)) want_msg = true;
    else want_tree = true;
  }
  if (!case_filter) want_msg = want_tree = true;
  if (want_msg) setup_message();
  if (want_tree) setup_tree();
  fflush(stdout);

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(cases[i].name, cases[i].fn);

  if (want_msg) {
    pn_message_free(msg_src);
    pn_message_free(msg_dst);
    pn_message_free(msg_tmp);
  }
  if (want_tree) {
    pn_data_free(tree_src);
    pn_data_free(tree_dst);
  }
  return 0;
}
