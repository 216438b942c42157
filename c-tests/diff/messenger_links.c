/* The engine handles a messenger hands out: links from pn_messenger_get_link and
 * pn_messenger_tracker_link (name, direction, state, credit, queue, termini, settle modes,
 * remote condition, pn_link_flow in manual credit mode) and deliveries from
 * pn_messenger_delivery (tag, link, local/remote state, settled, buffered, and
 * pn_delivery_update with outcomes messenger.h has no call for). */
#include "messenger_common.h"

#include <proton/condition.h>
#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/link.h>
#include <proton/terminus.h>

static int port;

static void show_terminus(const char *label, pn_terminus_t *t)
{
  printf(" %s=", label);
  if (!t) {
    printf("NULL");
    return;
  }
  printf("{type=%d address=", (int)pn_terminus_get_type(t));
  print_cstr(pn_terminus_get_address(t));
  printf(" dynamic=%d}", pn_terminus_is_dynamic(t));
}

static void show_link(const char *label, pn_link_t *l)
{
  printf("%s:", label);
  if (!l) {
    printf(" NULL\n");
    return;
  }
  printf(" sender=%d receiver=%d state=%d credit=%d queued=%d remote_credit=%d drain=%d\n", pn_link_is_sender(l),
         pn_link_is_receiver(l), (int)pn_link_state(l), pn_link_credit(l), pn_link_queued(l),
         pn_link_remote_credit(l), pn_link_get_drain(l));
  printf("%s: snd_settle_mode=%d rcv_settle_mode=%d remote_snd_settle_mode=%d remote_rcv_settle_mode=%d\n", label,
         (int)pn_link_snd_settle_mode(l), (int)pn_link_rcv_settle_mode(l), (int)pn_link_remote_snd_settle_mode(l),
         (int)pn_link_remote_rcv_settle_mode(l));
  printf("%s:", label);
  show_terminus("source", pn_link_source(l));
  show_terminus("target", pn_link_target(l));
  printf("\n%s:", label);
  show_terminus("remote_source", pn_link_remote_source(l));
  show_terminus("remote_target", pn_link_remote_target(l));
  pn_condition_t *c = pn_link_remote_condition(l);
  printf(" remote_condition=%s", c ? "non-NULL" : "NULL");
  if (c) {
    printf(" is_set=%d name=", pn_condition_is_set(c));
    print_cstr(pn_condition_get_name(c));
    printf(" description=");
    print_cstr(pn_condition_get_description(c));
  }
  printf("\n");
}

static void show_delivery(const char *label, pn_delivery_t *d, pn_link_t *link)
{
  printf("%s:", label);
  if (!d) {
    printf(" NULL\n");
    return;
  }
  pn_delivery_tag_t tag = pn_delivery_tag(d);
  printf(" tag=");
  print_hex(tag.start, tag.size);
  printf(" link=%s local_state=%" PRIu64 " remote_state=%" PRIu64 " settled=%d buffered=%d\n",
         pn_delivery_link(d) == link ? "same" : "different", pn_delivery_local_state(d), pn_delivery_remote_state(d),
         pn_delivery_settled(d), pn_delivery_buffered(d));
}

int main(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  char a[128];
  port = free_port();
  printf("outcome codes: received=%d accepted=%d rejected=%d released=%d modified=%d\n", (int)PN_RECEIVED,
         (int)PN_ACCEPTED, (int)PN_REJECTED, (int)PN_RELEASED, (int)PN_MODIFIED);
  printf("modes: PN_SND_UNSETTLED=%d PN_SND_SETTLED=%d PN_SND_MIXED=%d PN_RCV_FIRST=%d PN_RCV_SECOND=%d\n",
         PN_SND_UNSETTLED, PN_SND_SETTLED, PN_SND_MIXED, PN_RCV_FIRST, PN_RCV_SECOND);
  printf("terminus types: unspecified=%d source=%d target=%d coordinator=%d\n", PN_UNSPECIFIED, PN_SOURCE, PN_TARGET,
         PN_COORDINATOR);

  pn_messenger_t *srv = pn_messenger("server");
  pn_messenger_t *cli = pn_messenger("client");
  pn_messenger_set_incoming_window(srv, 5);
  pn_messenger_set_outgoing_window(cli, 5);
  pn_messenger_set_rcv_settle_mode(cli, PN_RCV_FIRST);
  snprintf(a, sizeof(a), "amqp://~127.0.0.1:%d", port);
  pn_messenger_subscribe(srv, a);
  pn_messenger_set_blocking(srv, false);
  pn_messenger_set_blocking(cli, false);
  pn_messenger_recv(srv, 10);

  snprintf(a, sizeof(a), "amqp://127.0.0.1:%d/queue1", port);
  pn_message_t *msg = make_message(a, NULL, "one");
  pn_messenger_put(cli, msg);
  pn_tracker_t t0 = pn_messenger_outgoing_tracker(cli);
  pn_messenger_put(cli, msg);
  pn_tracker_t t1 = pn_messenger_outgoing_tracker(cli);
  pn_link_t *cl = pn_messenger_get_link(cli, a, true);
  printf("get_link twice same=%d tracker_link same=%d\n", pn_messenger_get_link(cli, a, true) == cl,
         pn_messenger_tracker_link(cli, t1) == cl);
  show_link("client link before I/O", cl);
  show_delivery("client delivery t0 before I/O", pn_messenger_delivery(cli, t0), cl);
  printf("client delivery(t0) twice same=%d\n", pn_messenger_delivery(cli, t0) == pn_messenger_delivery(cli, t0));

  PUMP_UNTIL(cli, srv, pn_messenger_incoming(srv) == 2);
  pump_rounds(cli, srv, 5);
  show_link("client link", cl);
  show_delivery("client delivery t0", pn_messenger_delivery(cli, t0), cl);
  show_delivery("client delivery t1", pn_messenger_delivery(cli, t1), cl);

  pn_link_t *sl = pn_messenger_get_link(srv, "amqp://client/queue1", false);
  show_link("server link", sl);
  printf("server get_link(sender)=%s\n", pn_messenger_get_link(srv, "amqp://client/queue1", true) ? "non-NULL" : "NULL");
  /* 0.37 names every sender link "sender-xxx"; ours are unique ("sender-1", ...). The
   * receiving side takes the name the sender gave. */
  printf(INFO "link names: client=");
  print_cstr(pn_link_name(cl));
  printf(" server=");
  print_cstr(pn_link_name(sl));
  printf("\n");
  printf("link names: same on both ends=%d\n", strcmp(pn_link_name(cl), pn_link_name(sl)) == 0);

  pn_messenger_get(srv, msg);
  pn_tracker_t in0 = pn_messenger_incoming_tracker(srv);
  pn_messenger_get(srv, msg);
  pn_tracker_t in1 = pn_messenger_incoming_tracker(srv);
  pn_delivery_t *d0 = pn_messenger_delivery(srv, in0);
  pn_delivery_t *d1 = pn_messenger_delivery(srv, in1);
  printf("server tracker_link(in0) same as get_link=%d\n", pn_messenger_tracker_link(srv, in0) == sl);
  show_delivery("server delivery in0", d0, sl);
  show_delivery("server delivery in1", d1, sl);

  pn_delivery_update(d0, PN_RELEASED);
  pn_delivery_update(d1, PN_MODIFIED);
  printf("after update: server local states %" PRIu64 " %" PRIu64 " statuses %s %s\n", pn_delivery_local_state(d0),
         pn_delivery_local_state(d1), status_name(pn_messenger_status(srv, in0)),
         status_name(pn_messenger_status(srv, in1)));
  int rc = pn_messenger_accept(srv, in1, PN_CUMULATIVE);
  printf("accept after update=%d local states %" PRIu64 " %" PRIu64 " (the first outcome stays)\n", rc,
         pn_delivery_local_state(d0), pn_delivery_local_state(d1));
  PUMP_UNTIL(cli, srv,
             pn_messenger_status(cli, t0) != PN_STATUS_PENDING && pn_messenger_status(cli, t1) != PN_STATUS_PENDING);
  pump_rounds(cli, srv, 5);
  printf("client statuses %s %s\n", status_name(pn_messenger_status(cli, t0)), status_name(pn_messenger_status(cli, t1)));
  show_delivery("client delivery t0 after the outcome", pn_messenger_delivery(cli, t0), cl);
  show_delivery("client delivery t1 after the outcome", pn_messenger_delivery(cli, t1), cl);
  show_delivery("server delivery in0 after the echo", d0, sl);

  pn_messenger_settle(cli, t1, PN_CUMULATIVE);
  printf("client settled: delivery(t0)=%s delivery(t1)=%s status %s\n",
         pn_messenger_delivery(cli, t0) ? "non-NULL" : "NULL", pn_messenger_delivery(cli, t1) ? "non-NULL" : "NULL",
         status_name(pn_messenger_status(cli, t1)));
  PUMP_UNTIL(cli, srv, pn_delivery_settled(d1));
  show_delivery("server delivery in1 after the client settled", d1, sl);
  printf("server statuses %s %s\n", status_name(pn_messenger_status(srv, in0)), status_name(pn_messenger_status(srv, in1)));

  /* Manual credit: the messenger grants nothing, the application flows the link. */
  rc = pn_messenger_recv(srv, -2);
  printf("recv(-2)=%d(%s) receiving=%d server credit=%d\n", rc, pn_code(rc), pn_messenger_receiving(srv),
         pn_link_credit(sl));
  pn_link_flow(sl, 3);
  printf("after pn_link_flow(3): server credit=%d receiving=%d\n", pn_link_credit(sl), pn_messenger_receiving(srv));
  PUMP_UNTIL(cli, srv, pn_link_credit(cl) == pn_link_credit(sl));
  printf("client credit=%d remote_credit=%d\n", pn_link_credit(cl), pn_link_remote_credit(cl));

  for (int i = 0; i < 4; i++) pn_messenger_put(cli, msg);
  PUMP_UNTIL(cli, srv, pn_messenger_incoming(srv) == pn_link_credit(sl) + 0 || pn_messenger_incoming(srv) >= 4);
  pump_rounds(cli, srv, 10);
  printf("after 4 puts: server incoming=%d credit=%d; client credit=%d queued=%d outgoing=%d\n",
         pn_messenger_incoming(srv), pn_link_credit(sl), pn_link_credit(cl), pn_link_queued(cl),
         pn_messenger_outgoing(cli));

  pn_message_free(msg);
  stop_both(cli, srv);
  printf("stopped client=%d server=%d\n", pn_messenger_stopped(cli), pn_messenger_stopped(srv));
  pn_messenger_free(cli);
  pn_messenger_free(srv);
  printf("done\n");
  return 0;
}
