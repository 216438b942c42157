/* Helpers for the messenger differential tests (c-tests/diff/messenger_*.c).
 *
 * The tests run two messengers in one process over 127.0.0.1, pumped with
 * pn_messenger_work(m, 0), so each scenario is the same on both libraries.  Ports are picked
 * by binding port 0 and are never printed (texts that contain one print it as PORT).  The
 * programs define PN_USE_DEPRECATED_API, as proton's own msgr tools do: every messenger.h
 * function is deprecated in 0.37. */
#ifndef CTESTS_DIFF_MESSENGER_COMMON_H
#define CTESTS_DIFF_MESSENGER_COMMON_H

#ifndef PN_USE_DEPRECATED_API
#define PN_USE_DEPRECATED_API 1
#endif

#include <proton/messenger.h>

#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A free TCP port on 127.0.0.1 (bind port 0, read it back, close). */
static inline int free_port(void)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  socklen_t len = sizeof(a);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
    printf("cannot pick a port\n");
    exit(1);
  }
  close(fd);
  return ntohs(a.sin_port);
}

static inline double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Pump a and b (b may be NULL) with pn_messenger_work(m, 0) until cond holds, for at most
 * 5 s; says so if it never did. */
#define PUMP_UNTIL(a, b, cond)                                                     \
  do {                                                                             \
    double pump_t0_ = now_ms();                                                    \
    while (!(cond) && now_ms() - pump_t0_ < 5000) {                                \
      pn_messenger_work((a), 0);                                                   \
      if (b) pn_messenger_work((b), 0);                                            \
    }                                                                              \
    if (!(cond)) printf("TIMEOUT waiting for %s\n", #cond);                        \
  } while (0)

/* Pump a and b for n rounds (to let anything in flight arrive). */
static inline void pump_rounds(pn_messenger_t *a, pn_messenger_t *b, int n)
{
  for (int i = 0; i < n; i++) {
    pn_messenger_work(a, 0);
    if (b) pn_messenger_work(b, 0);
  }
}

/* Print s (may be NULL) escaped and quoted, with every occurrence of the decimal port
 * replaced by PORT. */
static inline void print_text_port(const char *s, int port)
{
  if (!s) {
    printf("(NULL)");
    return;
  }
  char p[16];
  snprintf(p, sizeof(p), "%d", port);
  size_t pl = strlen(p);
  putchar('"');
  while (*s) {
    if (port > 0 && strncmp(s, p, pl) == 0) {
      printf("PORT");
      s += pl;
    } else {
      print_escaped(s, 1);
      s++;
    }
  }
  putchar('"');
}

/* "errno=E text=T" of a messenger (text with the port replaced). */
static inline void print_merr(pn_messenger_t *m, int port)
{
  printf("errno=%d(%s) text=", pn_messenger_errno(m), pn_code(pn_messenger_errno(m)));
  print_text_port(pn_error_text(pn_messenger_error(m)), port);
}

/* A CONNECTION ERROR text whose end comes from the resolver: the part up to and including
 * `upto` is compared, the resolver's words are informational. */
static inline void print_resolver_text(const char *label, const char *text, const char *upto)
{
  const char *cut = text ? strstr(text, upto) : NULL;
  if (!cut) {
    printf("%s: text=", label);
    print_cstr(text);
    printf(" (no \"%s\")\n", upto);
    return;
  }
  size_t n = (size_t)(cut - text) + strlen(upto);
  printf("%s: text starts \"", label);
  print_escaped(text, n);
  printf("\"\n" INFO "%s: resolver says ", label);
  print_cstr(text + n);
  printf("\n");
}

static inline const char *status_name(pn_status_t s)
{
  switch (s) {
  case PN_STATUS_UNKNOWN: return "UNKNOWN";
  case PN_STATUS_PENDING: return "PENDING";
  case PN_STATUS_ACCEPTED: return "ACCEPTED";
  case PN_STATUS_REJECTED: return "REJECTED";
  case PN_STATUS_RELEASED: return "RELEASED";
  case PN_STATUS_MODIFIED: return "MODIFIED";
  case PN_STATUS_ABORTED: return "ABORTED";
  case PN_STATUS_SETTLED: return "SETTLED";
  default: return "?";
  }
}

/* A message to address (printf format with the port) with a string body. */
static inline pn_message_t *make_message(const char *address, const char *reply_to, const char *body)
{
  pn_message_t *m = pn_message();
  pn_message_set_address(m, address);
  if (reply_to) pn_message_set_reply_to(m, reply_to);
  if (body) pn_data_put_string(pn_message_body(m), pn_bytes(strlen(body), body));
  return m;
}

/* Stop both messengers and pump until both are stopped (0.37 may crash freeing a messenger
 * that still has connections, so every test stops before freeing). */
static inline void stop_both(pn_messenger_t *a, pn_messenger_t *b)
{
  pn_messenger_set_blocking(a, false);
  if (b) pn_messenger_set_blocking(b, false);
  pn_messenger_stop(a);
  if (b) pn_messenger_stop(b);
  PUMP_UNTIL(a, b, pn_messenger_stopped(a) && (!b || pn_messenger_stopped(b)));
}

#endif
