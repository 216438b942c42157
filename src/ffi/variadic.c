/* The C-variadic exports of proton's API, which stable Rust cannot define.
 * Each one formats or walks its arguments here and hands plain values to Rust.
 * They are named pni_*: the exported pn_* names are jump trampolines in variadic.rs,
 * because a cdylib exports only symbols that Rust defines.
 *
 * pn_data_fill/pn_data_scan are written purely against the library's exported pn_data_*
 * functions (declared below); they never touch the Rust data tree directly. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- The parts of error.h and codec.h used here (ABI-identical to proton's headers) ---- */

typedef struct pn_error_t pn_error_t;
int pn_error_set(pn_error_t *error, int code, const char *text);

#define PN_ERR (-2)
#define PN_ARG_ERR (-6)

typedef struct pn_data_t pn_data_t;
typedef const void *pn_handle_t;

typedef enum {
  PN_NULL = 1, PN_BOOL = 2, PN_UBYTE = 3, PN_BYTE = 4, PN_USHORT = 5, PN_SHORT = 6,
  PN_UINT = 7, PN_INT = 8, PN_CHAR = 9, PN_ULONG = 10, PN_LONG = 11, PN_TIMESTAMP = 12,
  PN_FLOAT = 13, PN_DOUBLE = 14, PN_DECIMAL32 = 15, PN_DECIMAL64 = 16, PN_DECIMAL128 = 17,
  PN_UUID = 18, PN_BINARY = 19, PN_STRING = 20, PN_SYMBOL = 21, PN_DESCRIBED = 22,
  PN_ARRAY = 23, PN_LIST = 24, PN_MAP = 25, PN_INVALID = -1
} pn_type_t;

typedef struct { size_t size; const char *start; } pn_bytes_t;
typedef struct { char bytes[16]; } pni_bytes16_t;
typedef struct {
  pn_type_t type;
  union {
    bool as_bool;
    uint8_t as_ubyte;
    int8_t as_byte;
    uint16_t as_ushort;
    int16_t as_short;
    uint32_t as_uint;
    int32_t as_int;
    uint32_t as_char;
    uint64_t as_ulong;
    int64_t as_long;
    int64_t as_timestamp;
    float as_float;
    double as_double;
    uint32_t as_decimal32;
    uint64_t as_decimal64;
    pni_bytes16_t as_decimal128;
    pni_bytes16_t as_uuid;
    pn_bytes_t as_bytes;
  } u;
} pn_atom_t;

pn_data_t *pn_data(size_t capacity);
void pn_data_free(pn_data_t *data);
pn_error_t *pn_data_error(pn_data_t *data);
size_t pn_data_size(pn_data_t *data);
void pn_data_rewind(pn_data_t *data);
bool pn_data_next(pn_data_t *data);
bool pn_data_prev(pn_data_t *data);
bool pn_data_enter(pn_data_t *data);
bool pn_data_exit(pn_data_t *data);
pn_type_t pn_data_type(pn_data_t *data);
void pn_data_narrow(pn_data_t *data);
void pn_data_widen(pn_data_t *data);
pn_handle_t pn_data_point(pn_data_t *data);
bool pn_data_restore(pn_data_t *data, pn_handle_t point);
int pn_data_append(pn_data_t *data, pn_data_t *src);
int pn_data_appendn(pn_data_t *data, pn_data_t *src, int limit);

int pn_data_put_list(pn_data_t *data);
int pn_data_put_map(pn_data_t *data);
int pn_data_put_array(pn_data_t *data, bool described, pn_type_t type);
int pn_data_put_described(pn_data_t *data);
int pn_data_put_null(pn_data_t *data);
int pn_data_put_bool(pn_data_t *data, bool b);
int pn_data_put_ubyte(pn_data_t *data, uint8_t ub);
int pn_data_put_byte(pn_data_t *data, int8_t b);
int pn_data_put_ushort(pn_data_t *data, uint16_t us);
int pn_data_put_short(pn_data_t *data, int16_t s);
int pn_data_put_uint(pn_data_t *data, uint32_t ui);
int pn_data_put_int(pn_data_t *data, int32_t i);
int pn_data_put_ulong(pn_data_t *data, uint64_t ul);
int pn_data_put_long(pn_data_t *data, int64_t l);
int pn_data_put_timestamp(pn_data_t *data, int64_t t);
int pn_data_put_float(pn_data_t *data, float f);
int pn_data_put_double(pn_data_t *data, double d);
int pn_data_put_binary(pn_data_t *data, pn_bytes_t bytes);
int pn_data_put_string(pn_data_t *data, pn_bytes_t string);
int pn_data_put_symbol(pn_data_t *data, pn_bytes_t symbol);
int pn_data_put_atom(pn_data_t *data, pn_atom_t atom);

size_t pn_data_get_array(pn_data_t *data);
bool pn_data_is_array_described(pn_data_t *data);
pn_type_t pn_data_get_array_type(pn_data_t *data);
bool pn_data_get_bool(pn_data_t *data);
uint8_t pn_data_get_ubyte(pn_data_t *data);
int8_t pn_data_get_byte(pn_data_t *data);
uint16_t pn_data_get_ushort(pn_data_t *data);
int16_t pn_data_get_short(pn_data_t *data);
uint32_t pn_data_get_uint(pn_data_t *data);
int32_t pn_data_get_int(pn_data_t *data);
uint32_t pn_data_get_char(pn_data_t *data);
uint64_t pn_data_get_ulong(pn_data_t *data);
int64_t pn_data_get_long(pn_data_t *data);
int64_t pn_data_get_timestamp(pn_data_t *data);
float pn_data_get_float(pn_data_t *data);
double pn_data_get_double(pn_data_t *data);
pn_bytes_t pn_data_get_binary(pn_data_t *data);
pn_bytes_t pn_data_get_string(pn_data_t *data);
pn_bytes_t pn_data_get_symbol(pn_data_t *data);
pn_atom_t pn_data_get_atom(pn_data_t *data);

/* ---- pn_error_format ---- */

/* proton formats into a 1024-byte buffer and truncates.  A NULL error or format is
 * PN_ARG_ERR (proton would crash), and the error is left as it was. */
int pni_error_vformat(pn_error_t *error, int code, const char *fmt, va_list ap)
{
  char text[1024];
  if (!error || !fmt) return PN_ARG_ERR;
  vsnprintf(text, sizeof(text), fmt, ap);
  return pn_error_set(error, code, text);
}

int pni_error_format(pn_error_t *error, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int rc = pni_error_vformat(error, code, fmt, ap);
  va_end(ap);
  return rc;
}

/* ---- Cursor helpers shared by fill and scan ---- */

/* proton reports a bad fill code through its default logger at CRITICAL level, which is
 * enabled by default and writes "[<logger>]: AMQP:CRITICAL:<text>" to stderr.  The library
 * has no logger yet, so the same line is written here (the address is of a local object). */
static const char pni_fill_logger = 0;

static void pni_log_critical(const char *what, char code)
{
  fprintf(stderr, "[%p]: AMQP:CRITICAL:%s: 0x%.2X '%c'\n", (const void *)&pni_fill_logger, what,
          (unsigned)(unsigned char)code, code);
  fflush(stderr);
}

/* Move the cursor to just before the current node, so that the next put overwrites it in
 * place (same node, its children dropped). */
static void pni_data_move_before(pn_data_t *data)
{
  if (pn_data_prev(data)) return;
  if (pn_data_exit(data)) {
    pn_data_enter(data);
    return;
  }
  /* The first top-level node: the cursor goes before everything. */
  pn_data_restore(data, (pn_handle_t)0);
}

/* Number of children of the current node (the cursor is left where it was). */
static size_t pni_data_children(pn_data_t *data)
{
  pn_handle_t here = pn_data_point(data);
  size_t n = 0;
  if (pn_data_enter(data)) {
    while (pn_data_next(data)) n++;
  }
  pn_data_restore(data, here);
  return n;
}

/* ---- pn_data_fill ---- */

/* After each fill code: a described value whose descriptor and value are both written is
 * left (the cursor goes back to its parent), and a null put by a false '?' swallows the one
 * value written inside it (the null is kept, the value dropped).  Repeats outwards.
 *
 * Not reproduced: when proton 0.37 leaves a described value here, it also marks it so that
 * pn_data_encode drops the trailing nulls of a list value ("DL[Sn]" encodes 1 element, list0
 * if none is left); an explicitly built tree keeps them.  The public API cannot set that
 * mark, so ours encodes every element. */
static void pni_fill_settle(pn_data_t *data)
{
  for (;;) {
    pn_handle_t here = pn_data_point(data);
    if (!pn_data_exit(data)) return;
    pn_type_t type = pn_data_type(data);
    size_t full = type == PN_DESCRIBED ? 2 : type == PN_NULL ? 1 : 0;
    if (!full || pni_data_children(data) != full) {
      pn_data_restore(data, here);
      return;
    }
    if (type == PN_NULL) {
      pni_data_move_before(data);
      pn_data_put_null(data);
    }
  }
}

/* 'T': give the enclosing array its element type.  The array node is rewritten in place;
 * elements it already holds are copied out and back. */
static int pni_fill_array_type(pn_data_t *data, int type)
{
  pn_handle_t here = pn_data_point(data);
  if (!pn_data_exit(data) || pn_data_type(data) != PN_ARRAY) {
    pn_data_restore(data, here);
    return pn_error_set(pn_data_error(data), PN_ERR, "naked type");
  }
  pn_handle_t array = pn_data_point(data);
  if (pn_data_get_array_type(data) == (pn_type_t)type) {
    pn_data_restore(data, here);
    return 0;
  }
  if (type < PN_NULL || type > PN_MAP) {
    /* proton stores any int as the type; this library cannot hold an unknown one. */
    pn_data_restore(data, here);
    return PN_ARG_ERR;
  }
  bool described = pn_data_is_array_described(data);

  /* Where the cursor is among the elements: 0 = before the first. */
  size_t count = 0, position = 0;
  pn_data_enter(data);
  while (pn_data_next(data)) {
    count++;
    if (pn_data_point(data) == here) position = count;
  }

  pn_data_t *elements = NULL;
  int err = 0;
  if (count) {
    elements = pn_data(count);
    pn_data_restore(data, array);
    pn_data_enter(data);
    pn_data_narrow(data);
    err = pn_data_append(elements, data);
    pn_data_widen(data);
  }
  if (!err) {
    pn_data_restore(data, array);
    pni_data_move_before(data);
    err = pn_data_put_array(data, described, (pn_type_t)type);
  }
  if (!err && elements) {
    pn_data_enter(data);
    err = pn_data_append(data, elements);
  }
  pn_data_free(elements);
  pn_data_restore(data, array);
  pn_data_enter(data);
  for (size_t i = 0; i < position; i++) pn_data_next(data);
  return err;
}

/* 'M': a "multiple" field: an empty array is null, a one-element array is its first child,
 * anything else is copied as it is.  The cursor of src is left where it was. */
static int pni_fill_multiple(pn_data_t *data, pn_data_t *src)
{
  int err;
  pn_handle_t saved = pn_data_point(src);
  pn_data_rewind(src);
  pn_data_next(src);
  if (pn_data_type(src) == PN_ARRAY && pn_data_get_array(src) == 0) {
    err = pn_data_put_null(data);
  } else if (pn_data_type(src) == PN_ARRAY && pn_data_get_array(src) == 1) {
    pn_data_enter(src);
    pn_data_narrow(src);
    err = pn_data_appendn(data, src, 1);
    pn_data_widen(src);
  } else {
    err = pn_data_appendn(data, src, 1);
  }
  pn_data_restore(src, saved);
  return err;
}

static pn_bytes_t pni_cstr_bytes(const char *s)
{
  pn_bytes_t b = {s ? strlen(s) : 0, s};
  return b;
}

int pni_data_fill(pn_data_t *data, const char *fmt, ...);

int pni_data_vfill(pn_data_t *data, const char *fmt, va_list ap)
{
  if (!data || !fmt) return PN_ARG_ERR;
  for (const char *p = fmt; *p;) {
    const char *at = p;
    char code = *p++;
    int err = 0;
    switch (code) {
    case 'n':
      err = pn_data_put_null(data);
      break;
    case 'o':
      err = pn_data_put_bool(data, va_arg(ap, int) != 0);
      break;
    case 'B':
      err = pn_data_put_ubyte(data, (uint8_t)va_arg(ap, unsigned int));
      break;
    case 'b':
      err = pn_data_put_byte(data, (int8_t)va_arg(ap, int));
      break;
    case 'H':
      err = pn_data_put_ushort(data, (uint16_t)va_arg(ap, unsigned int));
      break;
    case 'h':
      err = pn_data_put_short(data, (int16_t)va_arg(ap, int));
      break;
    case 'I':
      err = pn_data_put_uint(data, va_arg(ap, uint32_t));
      break;
    case 'i':
      err = pn_data_put_int(data, va_arg(ap, int32_t));
      break;
    case 'L':
      err = pn_data_put_ulong(data, va_arg(ap, uint64_t));
      break;
    case 'l':
      err = pn_data_put_long(data, va_arg(ap, int64_t));
      break;
    case 't':
      err = pn_data_put_timestamp(data, va_arg(ap, int64_t));
      break;
    case 'f':
      err = pn_data_put_float(data, (float)va_arg(ap, double));
      break;
    case 'd':
      err = pn_data_put_double(data, va_arg(ap, double));
      break;
    case 'Z':
    case 'z': {
      /* size and pointer travel as two arguments */
      size_t size = va_arg(ap, size_t);
      const char *start = va_arg(ap, const char *);
      if (code == 'z' && !start) {
        err = pn_data_put_null(data);
      } else {
        pn_bytes_t b = {size, start};
        err = pn_data_put_binary(data, b);
      }
      break;
    }
    case 'S':
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (!s) err = pn_data_put_null(data);
      else if (code == 'S') err = pn_data_put_string(data, pni_cstr_bytes(s));
      else err = pn_data_put_symbol(data, pni_cstr_bytes(s));
      break;
    }
    case 'D':
      err = pn_data_put_described(data);
      if (!err) pn_data_enter(data);
      break;
    case '@': {
      /* proton 0.37 looks one code too far for the 'D' of "@D": "@xD" makes a described
       * array and skips x, while "@D" is an array holding a described value.  Until 'T'
       * names the element type the array holds PN_NULL (proton: an invalid type 0). */
      bool described = false;
      if (*p && p[1] == 'D') {
        described = true;
        p++;
      }
      err = pn_data_put_array(data, described, PN_NULL);
      if (!err) pn_data_enter(data);
      break;
    }
    case 'T':
      err = pni_fill_array_type(data, va_arg(ap, int));
      break;
    case '[':
      /* "T[" opens the array that '@' already entered. */
      if (at > fmt && at[-1] == 'T') break;
      err = pn_data_put_list(data);
      if (!err) pn_data_enter(data);
      break;
    case '{':
      err = pn_data_put_map(data);
      if (!err) pn_data_enter(data);
      break;
    case ']':
    case '}':
      if (!pn_data_exit(data)) return pn_error_set(pn_data_error(data), PN_ERR, "exit failed");
      break;
    case '?':
      /* false: a null, entered, so that the next value lands inside it and is dropped */
      if (!va_arg(ap, int)) {
        err = pn_data_put_null(data);
        if (!err) pn_data_enter(data);
      }
      break;
    case '*': {
      int count = va_arg(ap, int);
      void *ptr = va_arg(ap, void *);
      char kind = *p;
      if (kind) p++;
      if (kind != 's') {
        /* (proton names the '*' itself, not the code after it) */
        pni_log_critical("unrecognized * code", code);
        return PN_ARG_ERR;
      }
      if (count > 0 && !ptr) return PN_ARG_ERR;
      const char *const *symbols = (const char *const *)ptr;
      for (int i = 0; i < count; i++) {
        err = pni_data_fill(data, "s", symbols[i]);
        if (err) return err;
      }
      break;
    }
    case 'C': {
      pn_data_t *src = va_arg(ap, pn_data_t *);
      if (src && pn_data_size(src) > 0) err = pn_data_appendn(data, src, 1);
      else err = pn_data_put_null(data);
      break;
    }
    case 'M': {
      pn_data_t *src = va_arg(ap, pn_data_t *);
      if (src && pn_data_size(src) > 0) err = pni_fill_multiple(data, src);
      else err = pn_data_put_null(data);
      break;
    }
    case 'a': {
      pn_atom_t *atom = va_arg(ap, pn_atom_t *);
      if (atom) err = pn_data_put_atom(data, *atom);
      else err = pn_data_put_null(data);
      break;
    }
    default:
      pni_log_critical("unrecognized fill code", code);
      return PN_ARG_ERR;
    }
    if (err) return err;
    pni_fill_settle(data);
  }
  return 0;
}

int pni_data_fill(pn_data_t *data, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int rc = pni_data_vfill(data, fmt, ap);
  va_end(ap);
  return rc;
}

/* ---- pn_data_scan ---- */

/* Advance to the next value; the end of a described value's children continues after the
 * described value. */
static bool pni_scan_next(pn_data_t *data, pn_type_t *type, bool suspended)
{
  *type = PN_INVALID;
  if (suspended) return false;
  for (;;) {
    if (pn_data_next(data)) {
      *type = pn_data_type(data);
      return true;
    }
    pn_handle_t here = pn_data_point(data);
    if (!pn_data_exit(data)) return false;
    if (pn_data_type(data) != PN_DESCRIBED) {
      pn_data_restore(data, here);
      return false;
    }
  }
}

/* The non-null value after the cursor, for 'C' and 'a': true with the cursor on it.  Before
 * the first top-level value there is none (as in proton). */
static bool pni_scan_peek(pn_data_t *data)
{
  pn_handle_t here = pn_data_point(data);
  if (here == (pn_handle_t)0) return false;
  if (!pn_data_next(data)) return false;
  if (pn_data_type(data) != PN_NULL) return true;
  pn_data_restore(data, here);
  return false;
}

/* The atom of the current node, with the unused value bytes zeroed. */
static void pni_scan_atom(pn_data_t *data, pn_atom_t *out)
{
  pn_atom_t atom = pn_data_get_atom(data);
  size_t n;
  switch (atom.type) {
  case PN_BOOL: n = sizeof(bool); break;
  case PN_UBYTE:
  case PN_BYTE: n = 1; break;
  case PN_USHORT:
  case PN_SHORT: n = 2; break;
  case PN_UINT:
  case PN_INT:
  case PN_CHAR:
  case PN_FLOAT:
  case PN_DECIMAL32: n = 4; break;
  case PN_ULONG:
  case PN_LONG:
  case PN_TIMESTAMP:
  case PN_DOUBLE:
  case PN_DECIMAL64: n = 8; break;
  case PN_DECIMAL128:
  case PN_UUID:
  case PN_BINARY:
  case PN_STRING:
  case PN_SYMBOL: n = 16; break;
  default: n = 0; break;
  }
  memset(out, 0, sizeof(*out));
  out->type = atom.type;
  memcpy(&out->u, &atom.u, n);
}

/* Scanning state.  A compound code that does not match suspends scanning: the codes of the
 * missing value are then consumed (their outputs zeroed) without moving the cursor.  `skip`
 * counts the codes still to suspend at nesting `skip_level`.  The counts are proton's: 3 for
 * "D" and "@" (the code itself, then descriptor and value; so a mismatched "@[...]" also
 * swallows the code after the ']'), 1 for "[" (its ']').  A mismatched "{" does not suspend
 * at all unless scanning is already suspended, in which case it restarts the suspension at
 * its own level (both as in proton 0.37). */
int pni_data_vscan(pn_data_t *data, const char *fmt, va_list ap)
{
  if (!data || !fmt) return PN_ARG_ERR;
  pn_data_rewind(data);
  bool *present = NULL; /* from '?': set to whether the next code scanned a value */
  bool array_entered = false;
  int level = 0, skip_level = -1, skip = 0;

  for (const char *p = fmt; *p;) {
    char code = *p++;
    bool suspended = skip > 0;
    bool scanned = false;
    bool counts = true; /* whether this code counts towards `skip` */
    pn_type_t type;
    bool found;

    switch (code) {
    case 'n':
      found = pni_scan_next(data, &type, suspended);
      scanned = found && type == PN_NULL;
      break;

#define PNI_SCAN_SCALAR(CODE, CTYPE, PNTYPE, GET, ZERO)                                    \
  case CODE: {                                                                             \
    CTYPE *out = va_arg(ap, CTYPE *);                                                      \
    found = pni_scan_next(data, &type, suspended);                                         \
    if (found && type == PNTYPE) {                                                         \
      *out = GET(data);                                                                    \
      scanned = true;                                                                      \
    } else {                                                                               \
      *out = ZERO;                                                                         \
    }                                                                                      \
    break;                                                                                 \
  }
      PNI_SCAN_SCALAR('o', bool, PN_BOOL, pn_data_get_bool, false)
      PNI_SCAN_SCALAR('B', uint8_t, PN_UBYTE, pn_data_get_ubyte, 0)
      PNI_SCAN_SCALAR('b', int8_t, PN_BYTE, pn_data_get_byte, 0)
      PNI_SCAN_SCALAR('H', uint16_t, PN_USHORT, pn_data_get_ushort, 0)
      PNI_SCAN_SCALAR('h', int16_t, PN_SHORT, pn_data_get_short, 0)
      PNI_SCAN_SCALAR('I', uint32_t, PN_UINT, pn_data_get_uint, 0)
      PNI_SCAN_SCALAR('i', int32_t, PN_INT, pn_data_get_int, 0)
      PNI_SCAN_SCALAR('c', uint32_t, PN_CHAR, pn_data_get_char, 0)
      PNI_SCAN_SCALAR('L', uint64_t, PN_ULONG, pn_data_get_ulong, 0)
      PNI_SCAN_SCALAR('l', int64_t, PN_LONG, pn_data_get_long, 0)
      PNI_SCAN_SCALAR('t', int64_t, PN_TIMESTAMP, pn_data_get_timestamp, 0)
      PNI_SCAN_SCALAR('f', float, PN_FLOAT, pn_data_get_float, 0)
      PNI_SCAN_SCALAR('d', double, PN_DOUBLE, pn_data_get_double, 0)
      PNI_SCAN_SCALAR('z', pn_bytes_t, PN_BINARY, pn_data_get_binary, ((pn_bytes_t){0, NULL}))
      PNI_SCAN_SCALAR('S', pn_bytes_t, PN_STRING, pn_data_get_string, ((pn_bytes_t){0, NULL}))
      PNI_SCAN_SCALAR('s', pn_bytes_t, PN_SYMBOL, pn_data_get_symbol, ((pn_bytes_t){0, NULL}))
#undef PNI_SCAN_SCALAR

    case 'D':
    case '@':
      found = pni_scan_next(data, &type, suspended);
      if (found && type == (code == 'D' ? PN_DESCRIBED : PN_ARRAY)) {
        pn_data_enter(data);
        scanned = true;
        if (code == '@') array_entered = true;
      } else if (!suspended) {
        level++;
        skip_level = level;
        skip = 3;
      }
      break;

    case '[':
    case '{':
      counts = false;
      if (code == '[' && array_entered) {
        /* the '[' of "@[": the array is already entered */
        array_entered = false;
        scanned = true;
      } else {
        found = pni_scan_next(data, &type, suspended);
        if (found && type == (code == '[' ? PN_LIST : PN_MAP)) {
          pn_data_enter(data);
          scanned = true;
        } else if (code == '[' ? !suspended : suspended) {
          level++;
          skip_level = level;
          skip = 1;
        }
      }
      level++;
      break;

    case ']':
    case '}':
      level--;
      if (!suspended && !pn_data_exit(data))
        return pn_error_set(pn_data_error(data), PN_ERR, "exit failed");
      break;

    case '.':
      scanned = pni_scan_next(data, &type, suspended);
      break;

    case '?':
      if (!*p || *p == '?')
        return pn_error_set(pn_data_error(data), PN_ARG_ERR, "codes must follow a ?");
      present = va_arg(ap, bool *);
      counts = false;
      break;

    case 'C': {
      pn_data_t *dst = va_arg(ap, pn_data_t *);
      if (!suspended) {
        pn_handle_t here = pn_data_point(data);
        if (pni_scan_peek(data)) {
          /* copy just the value after the cursor: narrow to the position before it */
          size_t before = pn_data_size(dst);
          pn_data_restore(data, here);
          pn_data_narrow(data);
          int err = pn_data_appendn(dst, data, 1);
          pn_data_widen(data);
          if (err) return err;
          scanned = pn_data_size(dst) > before;
        }
        pn_data_restore(data, here);
        pn_data_next(data);
      }
      break;
    }

    case 'a': {
      pn_atom_t *atom = va_arg(ap, pn_atom_t *);
      if (!suspended) {
        pn_handle_t here = pn_data_point(data);
        /* (proton never counts an atom as scanned for a preceding '?') */
        if (pni_scan_peek(data) && atom) pni_scan_atom(data, atom);
        pn_data_restore(data, here);
        pn_data_next(data);
      }
      break;
    }

    default:
      return pni_error_format(pn_data_error(data), PN_ARG_ERR, "unrecognized scan code: 0x%.2X '%c'",
                              (unsigned)(unsigned char)code, code);
    }

    if (counts && skip && level == skip_level) skip--;
    if (present && code != '?') {
      *present = scanned;
      present = NULL;
    }
  }
  return 0;
}

int pni_data_scan(pn_data_t *data, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int rc = pni_data_vscan(data, fmt, ap);
  va_end(ap);
  return rc;
}
