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

#include <proton/link.h>
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

/* PN_REMOTE_ACTIVE of connection.h (a header our library does not ship; the bit is an ABI
 * constant): the peer has answered the link's attach. */
#define REMOTE_ACTIVE_BIT 16

/* True once the peer answered link l's attach.  A peer that answered has processed our open,
 * so it can find our connection by our container name: wait for this before asking the peer
 * for pn_messenger_get_link("amqp://<our name>/..."), which otherwise takes the name for a
 * host and asks the resolver. */
static inline int remote_active(pn_link_t *l)
{
  return l && (pn_link_state(l) & REMOTE_ACTIVE_BIT);
}

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

/* A listening messenger `srv` on amqp://~127.0.0.1:<port> and a messenger `cli` that sends
 * to it, both non-blocking (the tests pump them).  Windows are set before any link exists. */
struct pair {
  pn_messenger_t *srv, *cli;
  pn_subscription_t *listener;
  int port;
  char url[128];
};

static inline void pair_open(struct pair *p, const char *srv_name, const char *cli_name, int in_window,
                             int out_window)
{
  p->port = free_port();
  p->srv = pn_messenger(srv_name);
  p->cli = pn_messenger(cli_name);
  pn_messenger_set_incoming_window(p->srv, in_window);
  pn_messenger_set_outgoing_window(p->cli, out_window);
  snprintf(p->url, sizeof(p->url), "amqp://~127.0.0.1:%d", p->port);
  p->listener = pn_messenger_subscribe(p->srv, p->url);
  if (!p->listener) {
    printf("cannot listen: ");
    print_merr(p->srv, p->port);
    printf("\n");
    exit(1);
  }
  pn_messenger_set_blocking(p->srv, false);
  pn_messenger_set_blocking(p->cli, false);
}

/* "amqp://127.0.0.1:<port>/<path>" (a static buffer: use it before the next call). */
static inline const char *pair_url(struct pair *p, const char *path)
{
  snprintf(p->url, sizeof(p->url), "amqp://127.0.0.1:%d/%s", p->port, path);
  return p->url;
}

static inline void pair_close(struct pair *p)
{
  stop_both(p->cli, p->srv);
  pn_messenger_free(p->cli);
  pn_messenger_free(p->srv);
}

/* Put n messages to path on the pair's listener, with bodies "<path> <k>" (k counts every
 * message put_n made); trackers in t. */
static inline void put_n(struct pair *p, pn_messenger_t *m, const char *path, int n, pn_tracker_t *t)
{
  static int counter;
  for (int i = 0; i < n; i++) {
    char body[64];
    snprintf(body, sizeof(body), "%s %d", path, counter++);
    pn_message_t *msg = make_message(pair_url(p, path), NULL, body);
    int rc = pn_messenger_put(m, msg);
    if (rc != 0) printf("put %s %d failed: %d\n", path, i, rc);
    if (t) t[i] = pn_messenger_outgoing_tracker(m);
    pn_message_free(msg);
  }
}

/* "label: S/b S/b ..." status and buffered flag of each tracker. */
static inline void show_trackers(const char *label, pn_messenger_t *m, const pn_tracker_t *t, int n)
{
  printf("%s:", label);
  for (int i = 0; i < n; i++)
    printf(" %s/%d", status_name(pn_messenger_status(m, t[i])), pn_messenger_buffered(m, t[i]));
  printf("\n");
}

/* Trackers as sequence numbers with the direction: "out 0 1 2" / "in 0 1". */
static inline void show_numbers(const char *label, const pn_tracker_t *t, int n)
{
  printf("%s:", label);
  for (int i = 0; i < n; i++) {
    int64_t v = (int64_t)t[i];
    printf(" %s%" PRId64, (v >> 60) == 1 ? "in:" : (v >> 60) == 0 ? "" : "?", (int64_t)(v & 0xffffffff));
  }
  printf("\n");
}

/* Get up to n messages (pumping the pair until each arrives), trackers in t; returns how
 * many were gotten. */
static inline int get_n(pn_messenger_t *rcv, pn_messenger_t *peer, int n, pn_tracker_t *t)
{
  pn_message_t *msg = pn_message();
  int got = 0;
  for (; got < n; got++) {
    PUMP_UNTIL(rcv, peer, pn_messenger_incoming(rcv) > 0);
    int rc = pn_messenger_get(rcv, msg);
    if (rc != 0) {
      printf("get %d failed: %d(%s)\n", got, rc, pn_code(rc));
      break;
    }
    if (t) t[got] = pn_messenger_incoming_tracker(rcv);
  }
  pn_message_free(msg);
  return got;
}

#endif
