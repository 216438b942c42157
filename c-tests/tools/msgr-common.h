/* Shared by msgr-send.c and msgr-recv.c: message identity (sender id + sequence number in the
 * application properties), the verifiable body pattern, statistics (elapsed, rate, CPU per
 * message, max RSS, round-trip latency) and which libqpid-proton.so.11 this process mapped.
 *
 * Only the public messenger.h / message.h / codec.h API is used, so the same source builds
 * against Debian's proton-c 0.37 and against ours. */
#ifndef MSGR_COMMON_H
#define MSGR_COMMON_H

#ifndef PN_USE_DEPRECATED_API
#define PN_USE_DEPRECATED_API 1
#endif

#include <proton/codec.h>
#include <proton/error.h>
#include <proton/message.h>
#include <proton/messenger.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define MSGR_MAX_ADDRS 64
#define MSGR_MAX_ID 128
/* Bodies start at offset (hash(id) + seq) % MSGR_PATTERN_SPAN in one shared pattern, so a body
 * from another sequence number or sender differs, and building one costs a single copy. */
#define MSGR_PATTERN_SPAN 251

static const char *msgr_prog = "msgr";

static inline void msgr_die(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", msgr_prog);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}

static inline double msgr_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline long msgr_parse_long(const char *opt, const char *s)
{
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end) msgr_die("bad number for %s: '%s'", opt, s);
  return v;
}

/* Split a comma-separated list in place into at most MSGR_MAX_ADDRS entries. */
static inline int msgr_split(char *list, char **out)
{
  int n = 0;
  for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
    if (n == MSGR_MAX_ADDRS) msgr_die("more than %d addresses", MSGR_MAX_ADDRS);
    out[n++] = tok;
  }
  if (n == 0) msgr_die("no address given");
  return n;
}

/* The messenger's error text for a failed call, then exit 1. */
static inline void msgr_check(pn_messenger_t *m, int rc, const char *what)
{
  if (rc >= 0) return;
  const char *text = pn_error_text(pn_messenger_error(m));
  fprintf(stderr, "%s: %s failed: %s (%d) %s\n", msgr_prog, what, pn_code(rc), rc,
          text ? text : "");
  exit(1);
}

/* ---- TLS (amqps) configuration: -E CERT -K KEY -P PASSWORD -T TRUSTED -M MODE ----------- */

#define MSGR_TLS_USAGE                                                                          \
  "  -E CERT           certificate (PEM) for amqps listeners and as a client certificate\n"    \
  "  -K KEY            its private key (PEM)\n"                                                \
  "  -P PASSWORD       password of an encrypted key\n"                                         \
  "  -T TRUSTED        trusted CA certificates (PEM file or hashed directory): verify servers\n" \
  "  -M MODE           how servers are verified with -T: name (default), peer, anonymous\n"

typedef struct {
  const char *certificate, *key, *password, *trusted;
  int mode; /* -1: the messenger's default */
} msgr_tls_t;

#define MSGR_TLS_INIT {NULL, NULL, NULL, NULL, -1}

/* Take a TLS option (true) or leave it (false). */
static inline bool msgr_tls_option(msgr_tls_t *t, int opt, const char *arg)
{
  switch (opt) {
  case 'E': t->certificate = arg; return true;
  case 'K': t->key = arg; return true;
  case 'P': t->password = arg; return true;
  case 'T': t->trusted = arg; return true;
  case 'M':
    if (!strcmp(arg, "name")) t->mode = PN_SSL_VERIFY_PEER_NAME;
    else if (!strcmp(arg, "peer")) t->mode = PN_SSL_VERIFY_PEER;
    else if (!strcmp(arg, "anonymous")) t->mode = PN_SSL_ANONYMOUS_PEER;
    else msgr_die("-M takes name, peer or anonymous, not '%s'", arg);
    return true;
  default: return false;
  }
}

static inline void msgr_tls_apply(pn_messenger_t *m, const msgr_tls_t *t)
{
  if (t->certificate) pn_messenger_set_certificate(m, t->certificate);
  if (t->key) pn_messenger_set_private_key(m, t->key);
  if (t->password) pn_messenger_set_password(m, t->password);
  if (t->trusted) pn_messenger_set_trusted_certificates(m, t->trusted);
  if (t->mode >= 0) pn_messenger_set_ssl_peer_authentication_mode(m, (pn_ssl_verify_mode_t)t->mode);
}

/* "<prog> error: <text>" when the messenger holds an error (e.g. why TLS or SASL failed). */
static inline void msgr_print_error(pn_messenger_t *m)
{
  if (pn_messenger_errno(m)) {
    const char *text = pn_error_text(pn_messenger_error(m));
    printf("%s error: %s\n", msgr_prog, text ? text : "");
  }
}

/* Timeout (ms) to give the next blocking call so the whole run ends by deadline (< 0: none). */
static inline int msgr_remaining_ms(double deadline)
{
  if (deadline < 0) return -1;
  double left = (deadline - msgr_now()) * 1000.0;
  return left <= 0 ? 0 : (int)left + 1;
}

/* ---- message identity ---------------------------------------------------------------- */

static inline uint32_t msgr_hash(const char *s)
{
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* The pattern bodies are cut from: size + span bytes of a fixed pseudo-random sequence. */
static inline unsigned char *msgr_pattern(size_t size)
{
  unsigned char *p = malloc(size + MSGR_PATTERN_SPAN);
  if (!p) msgr_die("out of memory for a %zu byte pattern", size);
  uint32_t x = 0x9e3779b9u;
  for (size_t i = 0; i < size + MSGR_PATTERN_SPAN; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    p[i] = (unsigned char)x;
  }
  return p;
}

static inline size_t msgr_body_offset(const char *id, uint64_t seq)
{
  return (msgr_hash(id) + seq) % MSGR_PATTERN_SPAN;
}

/* Application properties {"sender": id, "seq": seq}. */
static inline void msgr_set_identity(pn_message_t *msg, const char *id, uint64_t seq)
{
  pn_data_t *p = pn_message_properties(msg);
  pn_data_clear(p);
  pn_data_put_map(p);
  pn_data_enter(p);
  pn_data_put_string(p, pn_bytes(6, "sender"));
  pn_data_put_string(p, pn_bytes(strlen(id), id));
  pn_data_put_string(p, pn_bytes(3, "seq"));
  pn_data_put_ulong(p, seq);
  pn_data_exit(p);
}

/* Read the identity back; false if it is missing or malformed. id gets at most MSGR_MAX_ID-1
 * characters. */
static inline bool msgr_get_identity(pn_message_t *msg, char *id, uint64_t *seq)
{
  pn_data_t *p = pn_message_properties(msg);
  bool have_id = false, have_seq = false;
  pn_data_rewind(p);
  if (!pn_data_next(p) || pn_data_type(p) != PN_MAP) return false;
  pn_data_enter(p);
  while (pn_data_next(p)) {
    if (pn_data_type(p) != PN_STRING) return false;
    pn_bytes_t key = pn_data_get_string(p);
    if (!pn_data_next(p)) return false;
    if (key.size == 6 && !memcmp(key.start, "sender", 6) && pn_data_type(p) == PN_STRING) {
      pn_bytes_t v = pn_data_get_string(p);
      if (v.size >= MSGR_MAX_ID) return false;
      memcpy(id, v.start, v.size);
      id[v.size] = 0;
      have_id = true;
    } else if (key.size == 3 && !memcmp(key.start, "seq", 3) && pn_data_type(p) == PN_ULONG) {
      *seq = pn_data_get_ulong(p);
      have_seq = true;
    }
  }
  pn_data_exit(p);
  return have_id && have_seq;
}

/* ---- statistics ---------------------------------------------------------------------- */

typedef struct {
  double t0;
  struct rusage ru0;
} msgr_stats_t;

static inline void msgr_stats_start(msgr_stats_t *s)
{
  s->t0 = msgr_now();
  getrusage(RUSAGE_SELF, &s->ru0);
}

static inline double msgr_tv_us(struct timeval tv) { return tv.tv_sec * 1e6 + tv.tv_usec; }

/* " elapsed_s=.. msgs_per_s=.. cpu_us_per_msg=.. maxrss_kib=.." for n messages, where the
 * elapsed time runs from t_first (or the stats start if < 0) to t_last. */
static inline void msgr_stats_print(const msgr_stats_t *s, uint64_t n, double t_first, double t_last)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double t0 = t_first >= 0 ? t_first : s->t0;
  double elapsed = t_last - t0;
  double cpu = msgr_tv_us(ru.ru_utime) - msgr_tv_us(s->ru0.ru_utime) + msgr_tv_us(ru.ru_stime) -
               msgr_tv_us(s->ru0.ru_stime);
  printf(" elapsed_s=%.6f msgs_per_s=%.0f cpu_us_per_msg=%.3f maxrss_kib=%ld", elapsed,
         elapsed > 0 ? n / elapsed : 0.0, n ? cpu / n : 0.0, ru.ru_maxrss);
}

static inline int msgr_cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* " rtt_avg_us=.. rtt_p50_us=.. rtt_p99_us=.. rtt_max_us=.." (sorts lat). */
static inline void msgr_latency_print(double *lat, size_t n)
{
  if (n == 0) {
    printf(" rtt_avg_us=0 rtt_p50_us=0 rtt_p99_us=0 rtt_max_us=0");
    return;
  }
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += lat[i];
  qsort(lat, n, sizeof(double), msgr_cmp_double);
  printf(" rtt_avg_us=%.1f rtt_p50_us=%.1f rtt_p99_us=%.1f rtt_max_us=%.1f", sum / n * 1e6,
         lat[(n - 1) / 2] * 1e6, lat[(size_t)((n - 1) * 0.99)] * 1e6, lat[n - 1] * 1e6);
}

/* Path of the libqpid-proton.so.11 mapped into this process (from /proc/self/maps). */
static inline const char *msgr_loaded_lib(void)
{
  static char path[4096] = "unknown";
  char line[4352];
  FILE *f = fopen("/proc/self/maps", "r");
  if (!f) return path;
  while (fgets(line, sizeof(line), f)) {
    char *p = strchr(line, '/');
    if (p && strstr(p, "libqpid-proton")) {
      p[strcspn(p, "\n")] = 0;
      snprintf(path, sizeof(path), "%s", p);
      break;
    }
  }
  fclose(f);
  return path;
}

static inline const char *msgr_status_name(pn_status_t st)
{
  switch (st) {
  case PN_STATUS_UNKNOWN: return "UNKNOWN";
  case PN_STATUS_PENDING: return "PENDING";
  case PN_STATUS_ACCEPTED: return "ACCEPTED";
  case PN_STATUS_REJECTED: return "REJECTED";
  case PN_STATUS_RELEASED: return "RELEASED";
  case PN_STATUS_MODIFIED: return "MODIFIED";
  case PN_STATUS_ABORTED: return "ABORTED";
  case PN_STATUS_SETTLED: return "SETTLED";
  }
  return "INVALID";
}

#endif
