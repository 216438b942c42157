/* Two messengers in one process over 127.0.0.1: tracker numbering, statuses under windows,
 * accept/reject/settle as the sender sees them, incoming window 0 (sender sees SETTLED),
 * credit through pn_messenger_receiving, subscriptions, get_link, a refused connection. */
#include "messenger_common.h"

static char addr[128];
static int port;

static const char *url(const char *fmt)
{
  snprintf(addr, sizeof(addr), fmt, port);
  return addr;
}

static void show_message(pn_message_t *msg)
{
  printf(" address=");
  print_text_port(pn_message_get_address(msg), port);
  printf(" reply_to=");
  print_text_port(pn_message_get_reply_to(msg), port);
  static char text[256];
  size_t n = sizeof(text);
  if (pn_data_format(pn_message_body(msg), text, &n) == 0) printf(" body=%.*s", (int)n, text);
}

static void show_statuses(const char *label, pn_messenger_t *m, pn_tracker_t *t, int n)
{
  printf("%s:", label);
  for (int i = 0; i < n; i++) printf(" %s", status_name(pn_messenger_status(m, t[i])));
  printf("\n");
}

/* Windows 3 and 3, five messages: the two oldest fall out of the sender's window before
 * they are written (they go pre-settled); accept/reject/settle on both sides. */
static void windows(void)
{
  port = free_port();
  pn_messenger_t *srv = pn_messenger("server");
  pn_messenger_t *cli = pn_messenger("client");
  pn_messenger_set_incoming_window(srv, 3);
  pn_messenger_set_outgoing_window(cli, 3);
  pn_subscription_t *sub = pn_messenger_subscribe(srv, url("amqp://~127.0.0.1:%d"));
  printf("subscribe=%s stopped=%d\n", sub ? "non-NULL" : "NULL", pn_messenger_stopped(srv));
  pn_messenger_set_blocking(srv, false);
  int rc = pn_messenger_recv(srv, 5);
  printf("server nonblocking recv(5)=%d(%s) receiving=%d\n", rc, pn_code(rc), pn_messenger_receiving(srv));

  pn_tracker_t out[5];
  for (int i = 0; i < 5; i++) {
    char body[16];
    snprintf(body, sizeof(body), "hello %d", i);
    pn_message_t *msg = make_message(url("amqp://127.0.0.1:%d/queue1"), "~", body);
    rc = pn_messenger_put(cli, msg);
    out[i] = pn_messenger_outgoing_tracker(cli);
    printf("put %d=%d tracker=%" PRId64 " status=%s buffered=%d outgoing=%d", i, rc, (int64_t)out[i],
           status_name(pn_messenger_status(cli, out[i])), pn_messenger_buffered(cli, out[i]),
           pn_messenger_outgoing(cli));
    if (i == 0) {
      printf(" reply_to now=");
      print_text_port(pn_message_get_reply_to(msg), port);
    }
    printf("\n");
    pn_message_free(msg);
  }
  show_statuses("client statuses after put", cli, out, 5);
  printf("client buffered after put:");
  for (int i = 0; i < 5; i++) printf(" %d", pn_messenger_buffered(cli, out[i]));
  printf(" delivery(t0)=%s delivery(t4)=%s stopped=%d\n", pn_messenger_delivery(cli, out[0]) ? "non-NULL" : "NULL",
         pn_messenger_delivery(cli, out[4]) ? "non-NULL" : "NULL", pn_messenger_stopped(cli));
  pn_link_t *link = pn_messenger_get_link(cli, url("amqp://127.0.0.1:%d/queue1"), true);
  pn_link_t *tlink = pn_messenger_tracker_link(cli, out[4]);
  printf("get_link(sender)=%s tracker_link(t4) %s, tracker_link(t0)=%s get_link(receiver)=%s\n",
         link ? "non-NULL" : "NULL", tlink == link ? "same" : "different",
         pn_messenger_tracker_link(cli, out[0]) ? "non-NULL" : "NULL",
         pn_messenger_get_link(cli, url("amqp://127.0.0.1:%d/queue1"), false) ? "non-NULL" : "NULL");

  PUMP_UNTIL(cli, srv, pn_messenger_incoming(srv) == 5);
  printf("server incoming=%d receiving=%d\n", pn_messenger_incoming(srv), pn_messenger_receiving(srv));
  show_statuses("client statuses when received", cli, out, 5);
  printf("client buffered when received:");
  for (int i = 0; i < 5; i++) printf(" %d", pn_messenger_buffered(cli, out[i]));
  printf(" outgoing=%d\n", pn_messenger_outgoing(cli));

  pn_tracker_t in[5];
  pn_message_t *msg = pn_message();
  for (int i = 0; i < 5; i++) {
    rc = pn_messenger_get(srv, msg);
    in[i] = pn_messenger_incoming_tracker(srv);
    printf("get=%d tracker=%" PRId64 " (0x%" PRIx64 ") status=%s same_subscription=%d", rc, (int64_t)in[i],
           (uint64_t)in[i], status_name(pn_messenger_status(srv, in[i])),
           pn_messenger_incoming_subscription(srv) == sub);
    show_message(msg);
    printf("\n");
  }
  rc = pn_messenger_get(srv, msg);
  printf("get when empty=%d incoming=%d\n", rc, pn_messenger_incoming(srv));
  show_statuses("server statuses", srv, in, 5);
  printf("server delivery(in0)=%s delivery(in4)=%s buffered(in4)=%d\n",
         pn_messenger_delivery(srv, in[0]) ? "non-NULL" : "NULL",
         pn_messenger_delivery(srv, in[4]) ? "non-NULL" : "NULL", pn_messenger_buffered(srv, in[4]));

  rc = pn_messenger_accept(srv, in[4], 0);
  printf("accept(in4)=%d ", rc);
  show_statuses("server statuses", srv, in, 5);
  rc = pn_messenger_reject(srv, in[4], PN_CUMULATIVE);
  printf("reject(in4, CUMULATIVE)=%d ", rc);
  show_statuses("server statuses", srv, in, 5);
  rc = pn_messenger_accept(srv, out[1], 0);
  printf("server accept(outgoing tracker)=%d ", rc);
  print_merr(srv, port);
  printf("\n");
  pn_error_clear(pn_messenger_error(srv));

  PUMP_UNTIL(cli, srv,
             pn_messenger_status(cli, out[2]) != PN_STATUS_PENDING &&
                 pn_messenger_status(cli, out[3]) != PN_STATUS_PENDING &&
                 pn_messenger_status(cli, out[4]) != PN_STATUS_PENDING);
  show_statuses("client statuses after the outcomes", cli, out, 5);
  printf("client outgoing=%d buffered(t4)=%d\n", pn_messenger_outgoing(cli), pn_messenger_buffered(cli, out[4]));
  pump_rounds(cli, srv, 20);
  show_statuses("server statuses (the sender echoed the outcomes, has not settled)", srv, in, 5);

  rc = pn_messenger_settle(cli, out[3], 0);
  printf("client settle(t3)=%d ", rc);
  show_statuses("client statuses", cli, out, 5);
  PUMP_UNTIL(cli, srv, pn_messenger_status(srv, in[3]) != PN_STATUS_PENDING);
  show_statuses("server statuses after the client settled t3", srv, in, 5);
  rc = pn_messenger_settle(srv, in[4], PN_CUMULATIVE);
  printf("server settle(in4, CUMULATIVE)=%d ", rc);
  show_statuses("server statuses", srv, in, 5);
  rc = pn_messenger_settle(cli, out[4], PN_CUMULATIVE);
  printf("client settle(t4, CUMULATIVE)=%d ", rc);
  show_statuses("client statuses", cli, out, 5);
  printf("client remote_idle_timeout=%u (unknown host: %u) ", pn_messenger_get_remote_idle_timeout(cli, url("amqp://127.0.0.1:%d")),
         pn_messenger_get_remote_idle_timeout(cli, "amqp://127.0.0.2:1"));
  print_merr(cli, port);
  printf(" ");
  print_merr(srv, port);
  printf("\n");

  pn_message_free(msg);
  stop_both(cli, srv);
  printf("stopped client=%d server=%d\n", pn_messenger_stopped(cli), pn_messenger_stopped(srv));
  pn_messenger_free(cli);
  pn_messenger_free(srv);
}

/* Incoming window 0: get() settles without an outcome, so the sender sees SETTLED. */
static void window_zero(void)
{
  port = free_port();
  pn_messenger_t *srv = pn_messenger("server0");
  pn_messenger_t *cli = pn_messenger("client0");
  pn_messenger_set_outgoing_window(cli, 3);
  pn_subscription_t *sub = pn_messenger_subscribe(srv, url("amqp://~127.0.0.1:%d"));
  pn_messenger_set_blocking(srv, false);
  pn_messenger_recv(srv, 10);
  pn_tracker_t out[3];
  for (int i = 0; i < 3; i++) {
    pn_message_t *msg = make_message(url("amqp://127.0.0.1:%d/dest"), NULL, "x");
    pn_messenger_put(cli, msg);
    out[i] = pn_messenger_outgoing_tracker(cli);
    pn_message_free(msg);
  }
  PUMP_UNTIL(cli, srv, pn_messenger_incoming(srv) == 3);
  printf("window 0: server incoming=%d receiving=%d\n", pn_messenger_incoming(srv), pn_messenger_receiving(srv));
  show_statuses("window 0: client statuses", cli, out, 3);
  const char *sa = pn_subscription_address(sub);
  printf("window 0: subscription address=");
  print_text_port(sa, port);
  printf("\n");
  int rc = pn_messenger_get(srv, NULL);
  printf("window 0: get(NULL)=%d incoming=%d tracker=%" PRId64 " status=%s delivery=%s\n", rc,
         pn_messenger_incoming(srv), (int64_t)pn_messenger_incoming_tracker(srv),
         status_name(pn_messenger_status(srv, pn_messenger_incoming_tracker(srv))),
         pn_messenger_delivery(srv, pn_messenger_incoming_tracker(srv)) ? "non-NULL" : "NULL");
  pn_message_t *msg = pn_message();
  rc = pn_messenger_get(srv, msg);
  printf("window 0: get=%d incoming=%d tracker=%" PRId64 " same_subscription=%d", rc, pn_messenger_incoming(srv),
         (int64_t)pn_messenger_incoming_tracker(srv), pn_messenger_incoming_subscription(srv) == sub);
  show_message(msg);
  printf("\n");
  rc = pn_messenger_accept(srv, pn_messenger_incoming_tracker(srv), 0);
  printf("window 0: accept(untracked)=%d\n", rc);
  PUMP_UNTIL(cli, srv,
             pn_messenger_status(cli, out[0]) != PN_STATUS_PENDING &&
                 pn_messenger_status(cli, out[1]) != PN_STATUS_PENDING);
  show_statuses("window 0: client statuses after two gets", cli, out, 3);
  printf("window 0: client buffered: %d %d %d delivery(t2)=%s\n", pn_messenger_buffered(cli, out[0]),
         pn_messenger_buffered(cli, out[1]), pn_messenger_buffered(cli, out[2]),
         pn_messenger_delivery(cli, out[2]) ? "non-NULL" : "NULL");
  rc = pn_messenger_settle(cli, out[2], PN_CUMULATIVE);
  printf("window 0: settle(t2, CUMULATIVE)=%d ", rc);
  show_statuses("client statuses", cli, out, 3);
  printf("window 0: server get_link via the client's name=%s, via a wrong path=%s\n",
         pn_messenger_get_link(srv, "amqp://client0/dest", false) ? "non-NULL" : "NULL",
         pn_messenger_get_link(srv, "amqp://client0/other", false) ? "non-NULL" : "NULL");
  printf("window 0: server still stopped=%d, errno=%d\n", pn_messenger_stopped(srv), pn_messenger_errno(srv));
  pn_message_free(msg);
  stop_both(cli, srv);
  pn_messenger_free(cli);
  pn_messenger_free(srv);
}

/* Credit: recv(n) sets the credit outstanding; a message uses one. */
static void credit(void)
{
  port = free_port();
  pn_messenger_t *srv = pn_messenger("server1");
  pn_messenger_t *cli = pn_messenger("client1");
  pn_messenger_subscribe(srv, url("amqp://~127.0.0.1:%d"));
  pn_messenger_set_blocking(srv, false);
  pn_messenger_set_blocking(cli, false);
  int rc = pn_messenger_recv(srv, 5);
  printf("credit: recv(5)=%d(%s) receiving=%d\n", rc, pn_code(rc), pn_messenger_receiving(srv));
  pn_message_t *msg = make_message(url("amqp://127.0.0.1:%d/q"), NULL, "one");
  pn_messenger_put(cli, msg);
  PUMP_UNTIL(cli, srv, pn_messenger_incoming(srv) == 1);
  printf("credit: after 1 message receiving=%d incoming=%d\n", pn_messenger_receiving(srv), pn_messenger_incoming(srv));
  rc = pn_messenger_get(srv, msg);
  printf("credit: get=%d receiving=%d\n", rc, pn_messenger_receiving(srv));
  rc = pn_messenger_recv(srv, 2);
  printf("credit: recv(2)=%d(%s) receiving=%d (credit already granted stays)\n", rc, pn_code(rc),
         pn_messenger_receiving(srv));
  rc = pn_messenger_recv(srv, 9);
  pump_rounds(cli, srv, 5);
  printf("credit: recv(9)=%d(%s) receiving=%d\n", rc, pn_code(rc), pn_messenger_receiving(srv));
  rc = pn_messenger_send(cli, -1);
  printf("credit: client nonblocking send(-1)=%d(%s) outgoing=%d\n", rc, pn_code(rc), pn_messenger_outgoing(cli));
  for (int i = 0; i < 3; i++) pn_messenger_put(cli, msg);
  PUMP_UNTIL(cli, srv, pn_messenger_incoming(srv) == 3);
  printf("credit: after 3 more receiving=%d incoming=%d deadline=%d\n", pn_messenger_receiving(srv),
         pn_messenger_incoming(srv), pn_messenger_deadline(srv) != 0);
  pn_message_free(msg);
  stop_both(cli, srv);
  pn_messenger_free(cli);
  pn_messenger_free(srv);
}

/* A refused connection: reported through the tracker (ABORTED), not the error. */
static void refused(void)
{
  port = free_port();
  pn_messenger_t *cli = pn_messenger("refused");
  pn_messenger_set_outgoing_window(cli, 1);
  pn_messenger_set_timeout(cli, 3000);
  pn_message_t *msg = make_message(url("amqp://127.0.0.1:%d/q"), NULL, "lost");
  int rc = pn_messenger_put(cli, msg);
  pn_tracker_t t = pn_messenger_outgoing_tracker(cli);
  printf("refused: put=%d status=%s outgoing=%d stopped=%d\n", rc, status_name(pn_messenger_status(cli, t)),
         pn_messenger_outgoing(cli), pn_messenger_stopped(cli));
  double t0 = now_ms();
  rc = pn_messenger_send(cli, -1);
  printf("refused: send(-1)=%d(%s) quick=%d status=%s outgoing=%d stopped=%d ", rc, pn_code(rc),
         now_ms() - t0 < 2000, status_name(pn_messenger_status(cli, t)), pn_messenger_outgoing(cli),
         pn_messenger_stopped(cli));
  print_merr(cli, port);
  printf("\n");
  pn_subscription_t *sub = pn_messenger_subscribe(cli, url("amqp://127.0.0.1:%d/q"));
  printf("refused: subscribe=%s ", sub ? "non-NULL" : "NULL");
  print_merr(cli, port);
  printf("\n");
  t0 = now_ms();
  rc = pn_messenger_recv(cli, 1);
  printf("refused: recv(1)=%d(%s) quick=%d stopped=%d ", rc, pn_code(rc), now_ms() - t0 < 2000,
         pn_messenger_stopped(cli));
  print_merr(cli, port);
  printf("\n");
  pn_message_free(msg);
  pn_messenger_free(cli);
}

int main(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  windows();
  window_zero();
  credit();
  refused();
  printf("done\n");
  return 0;
}
