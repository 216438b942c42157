/* messenger_reclaim: what trackers say when a peer stops and its links are reclaimed.
 *
 * A client sends two tracked messages; the server (incoming window 3) accepts both
 * cumulatively and the client sees ACCEPTED. Then the client stops: its detach reaches the
 * server, which reclaims the link (settling the deliveries before its own detach, as 0.37
 * does), and both sides' trackers keep their status while `buffered` turns true (an entry
 * without a delivery). Then the server stops too. */
#include "messenger_common.h"

static void show(const char *label, pn_messenger_t *m, pn_tracker_t t)
{
  printf("%s: %s buffered=%d\n", label, status_name(pn_messenger_status(m, t)),
         pn_messenger_buffered(m, t));
}

int main(void)
{
  int port = free_port();
  char url[128];
  pn_messenger_t *srv = pn_messenger("srv");
  pn_messenger_t *cli = pn_messenger("cli");
  pn_messenger_set_blocking(srv, false);
  pn_messenger_set_blocking(cli, false);
  pn_messenger_set_incoming_window(srv, 3);
  pn_messenger_set_outgoing_window(cli, 3);
  snprintf(url, sizeof(url), "amqp://~127.0.0.1:%d", port);
  pn_messenger_subscribe(srv, url);
  pn_messenger_recv(srv, 10);

  pn_message_t *msg = pn_message();
  snprintf(url, sizeof(url), "amqp://127.0.0.1:%d/q", port);
  pn_message_set_address(msg, url);
  pn_messenger_put(cli, msg);
  pn_messenger_put(cli, msg);
  pn_tracker_t out = pn_messenger_outgoing_tracker(cli);
  PUMP_UNTIL(srv, cli, pn_messenger_incoming(srv) == 2);
  pn_messenger_get(srv, msg);
  pn_messenger_get(srv, msg);
  pn_tracker_t in = pn_messenger_incoming_tracker(srv);
  printf("accept: %d\n", pn_messenger_accept(srv, in, PN_CUMULATIVE));
  PUMP_UNTIL(srv, cli, pn_messenger_status(cli, out) == PN_STATUS_ACCEPTED);
  show("before stop: client", cli, out);
  show("before stop: server", srv, in);

  printf("client stop: %d\n", pn_messenger_stop(cli));
  show("client stopping: client", cli, out);
  PUMP_UNTIL(srv, cli, pn_messenger_stopped(cli));
  show("client stopped: client", cli, out);
  show("client stopped: server", srv, in);
  printf("server incoming=%d outgoing=%d stopped=%d\n", pn_messenger_incoming(srv),
         pn_messenger_outgoing(srv), pn_messenger_stopped(srv));

  pn_messenger_stop(srv);
  PUMP_UNTIL(srv, NULL, pn_messenger_stopped(srv));
  show("server stopped: server", srv, in);
  printf("settle after stop: %d\n", pn_messenger_settle(srv, in, PN_CUMULATIVE));
  show("settled: server", srv, in);

  pn_message_free(msg);
  pn_messenger_free(cli);
  pn_messenger_free(srv);
  return 0;
}
