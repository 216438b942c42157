/* Connection failures and stop/stopped sequences.  A scripted AMQP peer
 * (messenger_raw_peer.h) gives what a messenger peer never does: an advertised idle timeout
 * (pn_messenger_get_remote_idle_timeout, routes not applied, matched by scheme/host/port), a
 * link detached with an error, a peer that never answers close (stop times out), a dropped
 * TCP connection, a close with an error, a redirect, garbage instead of a protocol header.
 * With a messenger peer: the peer stopping while deliveries wait for credit (written ones stay
 * PENDING, buffered ones become ABORTED), recv with no sources left, and a messenger used again
 * after stop (trackers keep counting). */
#include "messenger_raw_peer.h"

#include <proton/condition.h>
#include <proton/link.h>

static char addr[128];

static const char *at(int port, const char *fmt)
{
  snprintf(addr, sizeof(addr), fmt, port);
  return addr;
}

static void show_state(const char *label, pn_messenger_t *m, pn_tracker_t *t, int n, int port)
{
  printf("%s:", label);
  for (int i = 0; i < n; i++)
    printf(" %s/%d", status_name(pn_messenger_status(m, t[i])), pn_messenger_buffered(m, t[i]));
  printf(" outgoing=%d stopped=%d ", pn_messenger_outgoing(m), pn_messenger_stopped(m));
  print_merr(m, port);
  printf("\n");
}

/* A message to the raw peer; tracker in *t. */
static void put_one(pn_messenger_t *m, int port, const char *path, pn_tracker_t *t)
{
  char a[128];
  snprintf(a, sizeof(a), "amqp://127.0.0.1:%d/%s", port, path);
  pn_message_t *msg = make_message(a, NULL, "x");
  int rc = pn_messenger_put(m, msg);
  if (rc) printf("put %s=%d\n", path, rc);
  *t = pn_messenger_outgoing_tracker(m);
  pn_message_free(msg);
}

/* The peer advertises an idle timeout, detaches the link with an error, never answers close. */
static void idle_detach_stop(void)
{
  struct raw_peer peer;
  raw_listen(&peer);
  peer.answer_open = peer.answer_begin = peer.answer_attach = 1;
  peer.idle_timeout = 4000;
  int port = peer.port;
  pn_messenger_t *m = pn_messenger("idle");
  pn_messenger_set_outgoing_window(m, 5);
  pn_messenger_set_blocking(m, false);
  pn_messenger_route(m, "routed/*", at(port, "amqp://127.0.0.1:%d/$1"));
  pn_tracker_t t[2];
  put_one(m, port, "q", &t[0]);
  printf("idle: before the open remote_idle_timeout=%u\n", pn_messenger_get_remote_idle_timeout(m, at(port, "amqp://127.0.0.1:%d")));
  PUMP_RAW_UNTIL(m, &peer, peer.count[P_ATTACH] == 1 && pn_messenger_get_remote_idle_timeout(m, at(port, "amqp://127.0.0.1:%d")) == 4000);
  pump_raw_rounds(m, &peer, 10);
  printf("idle: remote_idle_timeout amqp://127.0.0.1:PORT=%u", pn_messenger_get_remote_idle_timeout(m, at(port, "amqp://127.0.0.1:%d")));
  printf(" with a path=%u", pn_messenger_get_remote_idle_timeout(m, at(port, "amqp://127.0.0.1:%d/q")));
  printf(" no scheme=%u", pn_messenger_get_remote_idle_timeout(m, at(port, "127.0.0.1:%d")));
  printf(" amqps=%u", pn_messenger_get_remote_idle_timeout(m, at(port, "amqps://127.0.0.1:%d")));
  printf(" localhost=%u", pn_messenger_get_remote_idle_timeout(m, at(port, "amqp://localhost:%d")));
  printf(" routed (not applied)=%u\n", pn_messenger_get_remote_idle_timeout(m, "routed/q"));
  printf("idle: peer saw: %s\n", peer.log);
  show_state("idle: waiting for credit", m, t, 1, port);
  pn_link_t *l = pn_messenger_get_link(m, at(port, "amqp://127.0.0.1:%d/q"), true);
  printf("idle: link=%s\n", l ? "non-NULL" : "NULL");

  raw_send_detach(&peer, "amqp:not-found", "no such node");
  PUMP_RAW_UNTIL(m, &peer, pn_messenger_status(m, t[0]) != PN_STATUS_PENDING);
  pump_raw_rounds(m, &peer, 10);
  show_state("idle: after the peer detached with an error", m, t, 1, port);
  l = pn_messenger_get_link(m, at(port, "amqp://127.0.0.1:%d/q"), true);
  printf("idle: get_link after the detach=%s delivery(t0)=%s tracker_link(t0)=%s peer saw: %s\n",
         l ? "non-NULL" : "NULL", pn_messenger_delivery(m, t[0]) ? "non-NULL" : "NULL",
         pn_messenger_tracker_link(m, t[0]) ? "non-NULL" : "NULL", peer.log);
  if (l) {
    pn_condition_t *c = pn_link_remote_condition(l);
    printf("idle: its remote condition name=");
    print_cstr(c ? pn_condition_get_name(c) : NULL);
    printf(" description=");
    print_cstr(c ? pn_condition_get_description(c) : NULL);
    printf("\n");
  }
  /* The same address again: a new link. */
  put_one(m, port, "q", &t[1]);
  PUMP_RAW_UNTIL(m, &peer, peer.count[P_ATTACH] == 2);
  pump_raw_rounds(m, &peer, 10);
  printf("idle: put again: attaches=%d tracker=%" PRId64 " ", peer.count[P_ATTACH], (int64_t)t[1]);
  show_state("state", m, t, 2, port);

  /* stop: the peer never answers the close. */
  int rc = pn_messenger_stop(m);
  printf("idle: nonblocking stop=%d(%s) stopped=%d\n", rc, pn_code(rc), pn_messenger_stopped(m));
  PUMP_RAW_UNTIL(m, &peer, peer.count[P_CLOSE] == 1);
  pump_raw_rounds(m, &peer, 20);
  printf("idle: peer saw: %s stopped=%d\n", peer.log, pn_messenger_stopped(m));
  /* 0.37 closes the connection without detaching the second link (1: only its answer to the
   * peer's detach); ours detaches it first (2). Both are valid AMQP. */
  printf(INFO "idle: detaches the peer saw=%d\n", peer.count[P_DETACH]);
  show_state("idle: stopping", m, t, 2, port);
  pn_messenger_set_blocking(m, true);
  pn_messenger_set_timeout(m, 100);
  double t0 = now_ms();
  rc = pn_messenger_stop(m);
  double took = now_ms() - t0;
  printf("idle: blocking stop, timeout 100=%d(%s) waited=%d stopped=%d ", rc, pn_code(rc), took >= 90 && took < 3000,
         pn_messenger_stopped(m));
  print_merr(m, port);
  printf("\n");
  pn_messenger_set_blocking(m, false);
  raw_send_close(&peer, NULL, NULL, NULL, 0);
  PUMP_RAW_UNTIL(m, &peer, pn_messenger_stopped(m));
  show_state("idle: the peer answered the close", m, t, 2, port);
  pn_messenger_free(m);
  raw_free(&peer);
}

/* The peer drops the TCP connection (no close frame) while messages wait for credit. */
static void dropped(void)
{
  struct raw_peer peer;
  raw_listen(&peer);
  peer.answer_open = peer.answer_begin = peer.answer_attach = 1;
  int port = peer.port;
  pn_messenger_t *m = pn_messenger("dropped");
  pn_messenger_set_outgoing_window(m, 5);
  pn_messenger_set_blocking(m, false);
  pn_tracker_t t[2];
  put_one(m, port, "q", &t[0]);
  put_one(m, port, "q", &t[1]);
  PUMP_RAW_UNTIL(m, &peer, peer.count[P_ATTACH] == 1);
  pump_raw_rounds(m, &peer, 10);
  show_state("dropped: waiting for credit", m, t, 2, port);
  raw_drop(&peer);
  PUMP_RAW_UNTIL(m, &peer, pn_messenger_stopped(m));
  pump_raw_rounds(m, &peer, 5);
  /* 0.37 records nothing; the transport's words are informational. */
  printf("dropped: statuses %s %s outgoing=%d stopped=%d errno=%d\n", status_name(pn_messenger_status(m, t[0])),
         status_name(pn_messenger_status(m, t[1])), pn_messenger_outgoing(m), pn_messenger_stopped(m),
         pn_messenger_errno(m));
  printf(INFO "dropped: error text=");
  print_text_port(pn_error_text(pn_messenger_error(m)), port);
  printf("\n");
  int rc = pn_messenger_send(m, -1);
  printf("dropped: nonblocking send(-1)=%d(%s)\n", rc, pn_code(rc));
  pn_messenger_set_blocking(m, true);
  pn_messenger_set_timeout(m, 2000);
  double t0 = now_ms();
  rc = pn_messenger_recv(m, 1);
  printf("dropped: blocking recv(1) with nothing left=%d(%s) quick=%d ", rc, pn_code(rc), now_ms() - t0 < 1000);
  print_merr(m, port);
  printf("\n");
  pn_messenger_free(m);
  raw_free(&peer);
}

/* The peer closes the connection with an error condition. */
static void closed_with_error(void)
{
  struct raw_peer peer;
  raw_listen(&peer);
  peer.answer_open = 1;
  int port = peer.port;
  pn_messenger_t *m = pn_messenger("closed");
  pn_messenger_set_outgoing_window(m, 5);
  pn_messenger_set_blocking(m, false);
  pn_tracker_t t;
  put_one(m, port, "q", &t);
  PUMP_RAW_UNTIL(m, &peer, peer.count[P_ATTACH] == 1);
  raw_send_close(&peer, "amqp:internal-error", "going away", NULL, 0);
  PUMP_RAW_UNTIL(m, &peer, pn_messenger_status(m, t) != PN_STATUS_PENDING);
  PUMP_RAW_UNTIL(m, &peer, peer.count[P_CLOSE] == 1);
  pump_raw_rounds(m, &peer, 10);
  printf("closed: peer saw: %s ", peer.log);
  show_state("state", m, &t, 1, port);
  raw_drop(&peer);
  PUMP_RAW_UNTIL(m, &peer, pn_messenger_stopped(m));
  show_state("closed: after the socket closed", m, &t, 1, port);
  pn_messenger_free(m);
  raw_free(&peer);
}

/* The peer answers with text instead of an AMQP header. */
static void garbage(void)
{
  struct raw_peer peer;
  raw_listen(&peer);
  int port = peer.port;
  pn_messenger_t *m = pn_messenger("garbage");
  pn_messenger_set_outgoing_window(m, 5);
  pn_messenger_set_blocking(m, false);
  pn_tracker_t t;
  put_one(m, port, "q", &t);
  PUMP_RAW_UNTIL(m, &peer, peer.header_seen);
  const char *reply = "HTTP/1.1 400 Bad Request\r\n\r\n";
  raw_write(&peer, reply, strlen(reply));
  PUMP_RAW_UNTIL(m, &peer, pn_messenger_status(m, t) != PN_STATUS_PENDING);
  pump_raw_rounds(m, &peer, 10);
  printf("garbage: status=%s outgoing=%d errno=%d(%s)\n", status_name(pn_messenger_status(m, t)),
         pn_messenger_outgoing(m), pn_messenger_errno(m), pn_code(pn_messenger_errno(m)));
  const char *text = pn_error_text(pn_messenger_error(m));
  const char *colon = text ? strstr(text, ": ") : NULL;
  printf("garbage: error condition=");
  if (colon) printf("\"%.*s\"", (int)(colon - text), text);
  else print_cstr(text);
  printf("\n" INFO "garbage: error text=");
  print_text_port(text, port);
  printf("\n");
  raw_drop(&peer);
  PUMP_RAW_UNTIL(m, &peer, pn_messenger_stopped(m));
  printf("garbage: stopped=%d\n", pn_messenger_stopped(m));
  pn_messenger_free(m);
  raw_free(&peer);
}

/* The peer redirects the connection to a messenger listening elsewhere. */
static void redirect(void)
{
  struct raw_peer peer;
  raw_listen(&peer);
  peer.answer_open = 1;
  int port = peer.port, port2 = free_port();
  pn_messenger_t *srv = pn_messenger("target");
  pn_messenger_subscribe(srv, at(port2, "amqp://~127.0.0.1:%d"));
  pn_messenger_set_blocking(srv, false);
  pn_messenger_recv(srv, 10);
  pn_messenger_t *m = pn_messenger("redirected");
  pn_messenger_set_outgoing_window(m, 5);
  pn_messenger_set_blocking(m, false);
  pn_tracker_t t;
  put_one(m, port, "q", &t);
  PUMP_RAW_UNTIL(m, &peer, peer.count[P_ATTACH] == 1);
  raw_send_close(&peer, "amqp:connection:redirect", "moved", "127.0.0.1", port2);
  double t0 = now_ms();
  while (now_ms() - t0 < 5000 && pn_messenger_incoming(srv) == 0 && pn_messenger_status(m, t) == PN_STATUS_PENDING) {
    pn_messenger_work(m, 0);
    raw_step(&peer);
    pn_messenger_work(srv, 0);
  }
  pump_rounds(m, srv, 10);
  printf("redirect: peer saw: %s server incoming=%d ", peer.log, pn_messenger_incoming(srv));
  show_state("client", m, &t, 1, port);
  pn_message_t *msg = pn_message();
  if (pn_messenger_get(srv, msg) == 0) {
    printf("redirect: the target got to=");
    print_text_port(pn_message_get_address(msg), port);
    printf("\n");
  }
  pn_message_free(msg);
  raw_drop(&peer);
  stop_both(m, srv);
  printf("redirect: stopped %d %d\n", pn_messenger_stopped(m), pn_messenger_stopped(srv));
  pn_messenger_free(m);
  pn_messenger_free(srv);
  raw_free(&peer);
}

/* A messenger peer stops while deliveries wait for credit; then the messengers are used again
 * after stop. */
static void peer_stops(void)
{
  struct pair p;
  pair_open(&p, "stopper", "stopped", 5, 5);
  pn_messenger_recv(p.srv, 1);
  pn_tracker_t t[5];
  put_n(&p, p.cli, "q", 3, t);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_incoming(p.srv) == 1);
  pump_rounds(p.cli, p.srv, 10);
  show_state("peer stops: before", p.cli, t, 3, p.port);
  int rc = pn_messenger_stop(p.srv);
  printf("peer stops: server nonblocking stop=%d(%s) stopped=%d incoming=%d\n", rc, pn_code(rc),
         pn_messenger_stopped(p.srv), pn_messenger_incoming(p.srv));
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_stopped(p.srv) && pn_messenger_stopped(p.cli));
  show_state("peer stops: client after", p.cli, t, 3, p.port);
  printf("peer stops: server stopped=%d incoming=%d get=%d receiving=%d\n", pn_messenger_stopped(p.srv),
         pn_messenger_incoming(p.srv), pn_messenger_get(p.srv, NULL), pn_messenger_receiving(p.srv));
  rc = pn_messenger_send(p.cli, -1);
  printf("peer stops: client nonblocking send(-1)=%d(%s)\n", rc, pn_code(rc));
  pn_messenger_set_blocking(p.srv, true);
  pn_messenger_set_timeout(p.srv, 2000);
  rc = pn_messenger_recv(p.srv, 1);
  printf("peer stops: server blocking recv(1)=%d(%s) ", rc, pn_code(rc));
  print_merr(p.srv, p.port);
  printf("\n");
  pn_error_clear(pn_messenger_error(p.srv));
  pn_messenger_set_blocking(p.srv, false);

  /* Used again after stop: listen, put, the trackers go on counting. */
  pn_subscription_t *s = pn_messenger_subscribe(p.srv, at(p.port, "amqp://~127.0.0.1:%d"));
  pn_messenger_recv(p.srv, 5);
  put_n(&p, p.cli, "q", 2, t + 3);
  printf("again: listen=%s trackers %" PRId64 " %" PRId64 "\n", s ? "non-NULL" : "NULL", (int64_t)t[3], (int64_t)t[4]);
  pn_tracker_t in[2];
  get_n(p.srv, p.cli, 2, in);
  show_numbers("again: incoming trackers", in, 2);
  pn_messenger_accept(p.srv, in[1], PN_CUMULATIVE);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_status(p.cli, t[4]) != PN_STATUS_PENDING);
  show_state("again: client", p.cli, t, 5, p.port);
  stop_both(p.cli, p.srv);
  printf("again: stopped %d %d\n", pn_messenger_stopped(p.cli), pn_messenger_stopped(p.srv));
  pair_close(&p);
}

int main(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  idle_detach_stop();
  dropped();
  closed_with_error();
  garbage();
  redirect();
  peer_stops();
  printf("done\n");
  return 0;
}
