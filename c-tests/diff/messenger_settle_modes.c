/* Settle modes: pn_messenger_set_snd_settle_mode / set_rcv_settle_mode apply to links made
 * later, and only while the matching window is non-zero (sender links: outgoing window, MIXED
 * by default; receiver links: incoming window, snd UNSETTLED by default).  Seen on our link
 * and as the remote modes on the peer's link; then what a message exchange reports under
 * each mode. */
#include "messenger_common.h"

#include <proton/link.h>

static const char *mode_names[] = {"unset", "UNSETTLED/FIRST", "SETTLED/SECOND", "MIXED"};

static void show_modes(const char *label, pn_link_t *l)
{
  printf(" %s:", label);
  if (!l) {
    printf(" NULL");
    return;
  }
  printf(" snd=%d rcv=%d remote snd=%d rcv=%d", (int)pn_link_snd_settle_mode(l), (int)pn_link_rcv_settle_mode(l),
         (int)pn_link_remote_snd_settle_mode(l), (int)pn_link_remote_rcv_settle_mode(l));
}

/* A sender link from cli (outgoing window w, snd mode s, rcv mode r; -1 = not set) to a
 * listener with incoming window 2: the modes on both ends, then two messages accepted. */
static void sender_case(int w, int s, int r)
{
  struct pair p;
  pair_open(&p, "msrv", "mcli", 2, w);
  if (s >= 0) pn_messenger_set_snd_settle_mode(p.cli, (pn_snd_settle_mode_t)s);
  if (r >= 0) pn_messenger_set_rcv_settle_mode(p.cli, (pn_rcv_settle_mode_t)r);
  pn_messenger_recv(p.srv, 10);
  pn_tracker_t t[2], in[2];
  put_n(&p, p.cli, "q", 2, t);
  pn_link_t *cl = pn_messenger_get_link(p.cli, pair_url(&p, "q"), true);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_incoming(p.srv) == 2);
  pump_rounds(p.cli, p.srv, 5);
  printf("sender window=%d snd_mode=%s rcv_mode=%s:", w, mode_names[s + 1], mode_names[r + 1]);
  show_modes("sender", cl);
  show_modes("receiver", pn_messenger_get_link(p.srv, "amqp://mcli/q", false));
  printf("\n");
  get_n(p.srv, p.cli, 2, in);
  pn_messenger_accept(p.srv, in[1], PN_CUMULATIVE);
  if (w > 0) PUMP_UNTIL(p.cli, p.srv, pn_messenger_status(p.cli, t[1]) != PN_STATUS_PENDING);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_status(p.srv, in[1]) != PN_STATUS_PENDING);
  pump_rounds(p.cli, p.srv, 10);
  printf("  after accept:");
  show_trackers(" sender", p.cli, t, 2);
  show_trackers("  receiver", p.srv, in, 2);
  /* A mode set now does not change the existing link. */
  pn_messenger_set_snd_settle_mode(p.cli, PN_SND_SETTLED);
  pn_messenger_set_rcv_settle_mode(p.cli, PN_RCV_SECOND);
  printf("  set afterwards:");
  show_modes("sender", cl);
  printf("\n");
  pair_close(&p);
}

/* A receiver link: sub (incoming window w, modes s/r) subscribes to a queue on a listener. */
static void receiver_case(int w, int s, int r)
{
  struct pair p;
  pair_open(&p, "lsrv", "lsub", 0, 0);
  pn_messenger_set_incoming_window(p.cli, w);
  if (s >= 0) pn_messenger_set_snd_settle_mode(p.cli, (pn_snd_settle_mode_t)s);
  if (r >= 0) pn_messenger_set_rcv_settle_mode(p.cli, (pn_rcv_settle_mode_t)r);
  pn_messenger_subscribe(p.cli, pair_url(&p, "feed"));
  pn_link_t *l = pn_messenger_get_link(p.cli, pair_url(&p, "feed"), false);
  PUMP_UNTIL(p.cli, p.srv, remote_active(l));
  pump_rounds(p.cli, p.srv, 5);
  printf("receiver window=%d snd_mode=%s rcv_mode=%s:", w, mode_names[s + 1], mode_names[r + 1]);
  show_modes("receiver", l);
  show_modes("peer's sender", pn_messenger_get_link(p.srv, "amqp://lsub/feed", true));
  printf("\n");
  pair_close(&p);
}

int main(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  sender_case(0, -1, -1);
  sender_case(0, PN_SND_SETTLED, PN_RCV_SECOND);
  sender_case(2, -1, -1);
  sender_case(2, PN_SND_UNSETTLED, -1);
  sender_case(2, PN_SND_SETTLED, -1);
  sender_case(2, PN_SND_MIXED, PN_RCV_SECOND);
  receiver_case(0, -1, -1);
  receiver_case(0, PN_SND_SETTLED, PN_RCV_SECOND);
  receiver_case(2, -1, -1);
  receiver_case(2, PN_SND_SETTLED, -1);
  receiver_case(2, PN_SND_MIXED, PN_RCV_SECOND);
  printf("done\n");
  return 0;
}
