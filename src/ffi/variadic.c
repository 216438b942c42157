/* The C-variadic exports of proton's API, which stable Rust cannot define.
 * Each one formats or walks its arguments here and hands plain values to Rust.
 * They are named pni_*: the exported pn_* names are jump trampolines in variadic.rs,
 * because a cdylib exports only symbols that Rust defines. */
#include <stdarg.h>
#include <stdio.h>

typedef struct pn_error_t pn_error_t;
int pn_error_set(pn_error_t *error, int code, const char *text);

/* proton formats into a 1024-byte buffer and truncates. */
int pni_error_vformat(pn_error_t *error, int code, const char *fmt, va_list ap)
{
  char text[1024];
  if (!fmt) return pn_error_set(error, code, NULL);
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
