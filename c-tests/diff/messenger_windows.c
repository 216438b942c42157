/* Tracker numbering and statuses under every combination of tracking windows (0, 1, N,
 * negative = unlimited), trackers falling out of a window (status, buffered, and how the
 * delivery is settled: what the peer then sees), settle/accept/reject with and without
 * PN_CUMULATIVE on incoming and outgoing trackers, the first outcome winning, outcomes set
 * after the peer settled.  Every status a peer should see is awaited by pumping until it
 * is no longer PENDING; statuses that must not change are read after a fixed number of
 * pump rounds. */
#include "messenger_common.h"

#define SHOW(label, m, t, n) show_trackers(label, m, t, n)

/* Pump until none of the trackers reads PENDING on m (a peer's outcome or settlement). */
static int none_pending(pn_messenger_t *m, const pn_tracker_t *t, int n)
{
  for (int i = 0; i < n; i++)
    if (pn_messenger_status(m, t[i]) == PN_STATUS_PENDING) return 0;
  return 1;
}

/* Windows 0 and 0: a tracker for every put and get, none tracked. */
static void untracked(void)
{
  struct pair p;
  pair_open(&p, "srv-a", "cli-a", 0, 0);
  pn_messenger_recv(p.srv, 10);
  pn_tracker_t out[3], in[3];
  put_n(&p, p.cli, "a", 3, out);
  show_numbers("w0: outgoing trackers", out, 3);
  SHOW("w0: client after put", p.cli, out, 3);
  printf("w0: delivery(t2)=%s tracker_link(t2)=%s outgoing=%d\n",
         pn_messenger_delivery(p.cli, out[2]) ? "non-NULL" : "NULL",
         pn_messenger_tracker_link(p.cli, out[2]) ? "non-NULL" : "NULL", pn_messenger_outgoing(p.cli));
  int rc = pn_messenger_send(p.cli, -1);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_incoming(p.srv) == 3);
  printf("w0: nonblocking send(-1)=%d(%s) incoming=%d\n", rc, pn_code(rc), pn_messenger_incoming(p.srv));
  get_n(p.srv, p.cli, 3, in);
  show_numbers("w0: incoming trackers", in, 3);
  SHOW("w0: server after get", p.srv, in, 3);
  printf("w0: accept=%d reject=%d settle=%d (untracked)\n", pn_messenger_accept(p.srv, in[2], PN_CUMULATIVE),
         pn_messenger_reject(p.srv, in[1], 0), pn_messenger_settle(p.srv, in[0], 0));
  printf("w0: client outgoing_tracker=%" PRId64 " server incoming_tracker=0x%" PRIx64 " errno %d %d\n",
         (int64_t)pn_messenger_outgoing_tracker(p.cli), (uint64_t)pn_messenger_incoming_tracker(p.srv),
         pn_messenger_errno(p.cli), pn_messenger_errno(p.srv));
  pair_close(&p);
}

/* Windows 1 and 1: every new put or get pushes the previous tracker out, which settles its
 * delivery with whatever local outcome it has. */
static void window_one(void)
{
  struct pair p;
  pair_open(&p, "srv-b", "cli-b", 1, 1);
  pn_messenger_recv(p.srv, 10);
  pn_tracker_t out[5], in[5];
  put_n(&p, p.cli, "b", 3, out);
  SHOW("w1: client after 3 puts", p.cli, out, 3);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_incoming(p.srv) == 3);
  SHOW("w1: client when received", p.cli, out, 3);
  get_n(p.srv, p.cli, 3, in);
  /* in0 and in1 came pre-settled (they fell out of the sender's window before being
   * written); in2 did not. */
  SHOW("w1: server after 3 gets", p.srv, in, 3);
  pump_rounds(p.cli, p.srv, 20);
  SHOW("w1: client after the gets (no outcome yet)", p.cli, out, 3);
  int rc = pn_messenger_accept(p.srv, in[2], 0);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_status(p.cli, out[2]) != PN_STATUS_PENDING);
  printf("w1: accept(in2)=%d ", rc);
  SHOW("client", p.cli, out, 3);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_status(p.srv, in[2]) != PN_STATUS_PENDING);
  SHOW("w1: server once the client echoed the outcome", p.srv, in, 3);

  /* The next put pushes t2 out: the client settles it (with the echoed outcome). */
  put_n(&p, p.cli, "b", 1, out + 3);
  SHOW("w1: client after put 4", p.cli, out, 4);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_status(p.srv, in[2]) != PN_STATUS_PENDING);
  SHOW("w1: server once the client settled t2", p.srv, in, 3);
  get_n(p.srv, p.cli, 1, in + 3);
  SHOW("w1: server after get 4", p.srv, in, 4);
  /* t3 falls out of the client's window with no outcome: the server sees it settled with
   * no outcome; an accept afterwards is its local outcome. */
  put_n(&p, p.cli, "b", 1, out + 4);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_status(p.srv, in[3]) != PN_STATUS_PENDING);
  SHOW("w1: server once t3 fell out of the client's window", p.srv, in, 4);
  rc = pn_messenger_accept(p.srv, in[3], 0);
  printf("w1: accept(in3) after the peer settled=%d ", rc);
  SHOW("server", p.srv, in, 4);
  get_n(p.srv, p.cli, 1, in + 4);
  SHOW("w1: server after get 5 (in3 fell out)", p.srv, in, 5);
  /* in4 falls out of the server's window unanswered when the server settles it. */
  rc = pn_messenger_settle(p.srv, in[4], 0);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_status(p.cli, out[4]) != PN_STATUS_PENDING);
  printf("w1: server settle(in4) with no outcome=%d ", rc);
  SHOW("client", p.cli, out, 5);
  pair_close(&p);
}

/* Negative windows: unlimited tracking. */
static void unlimited(void)
{
  struct pair p;
  pair_open(&p, "srv-c", "cli-c", -1, -1);
  pn_messenger_recv(p.srv, 10);
  printf("w-1: windows read back %d %d\n", pn_messenger_get_incoming_window(p.srv),
         pn_messenger_get_outgoing_window(p.cli));
  pn_tracker_t out[6], in[6];
  put_n(&p, p.cli, "c", 6, out);
  SHOW("w-1: client after put", p.cli, out, 6);
  get_n(p.srv, p.cli, 6, in);
  SHOW("w-1: server after get", p.srv, in, 6);
  int rc = pn_messenger_accept(p.srv, in[4], PN_CUMULATIVE);
  PUMP_UNTIL(p.cli, p.srv, none_pending(p.cli, out, 5));
  pump_rounds(p.cli, p.srv, 10);
  printf("w-1: accept(in4, CUMULATIVE)=%d ", rc);
  SHOW("client", p.cli, out, 6);
  SHOW("w-1: server (sender has not settled)", p.srv, in, 6);
  rc = pn_messenger_settle(p.cli, out[1], 0);
  printf("w-1: client settle(t1)=%d ", rc);
  SHOW("client", p.cli, out, 6);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_status(p.srv, in[1]) != PN_STATUS_PENDING);
  SHOW("w-1: server after the client settled t1", p.srv, in, 6);
  rc = pn_messenger_settle(p.cli, out[3], PN_CUMULATIVE);
  printf("w-1: client settle(t3, CUMULATIVE)=%d ", rc);
  SHOW("client", p.cli, out, 6);
  PUMP_UNTIL(p.cli, p.srv, none_pending(p.srv, in, 4));
  SHOW("w-1: server after the client settled up to t3", p.srv, in, 6);
  /* The sender settles t5 before any outcome: the receiver sees SETTLED; then rejects. */
  rc = pn_messenger_settle(p.cli, out[5], 0);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_status(p.srv, in[5]) != PN_STATUS_PENDING);
  printf("w-1: client settle(t5) before an outcome=%d ", rc);
  SHOW("server", p.srv, in, 6);
  rc = pn_messenger_reject(p.srv, in[5], 0);
  printf("w-1: reject(in5) after that=%d ", rc);
  SHOW("server", p.srv, in, 6);
  rc = pn_messenger_settle(p.srv, in[2], 0);
  printf("w-1: server settle(in2)=%d ", rc);
  SHOW("server", p.srv, in, 6);
  rc = pn_messenger_settle(p.srv, in[5], PN_CUMULATIVE);
  printf("w-1: server settle(in5, CUMULATIVE)=%d ", rc);
  SHOW("server", p.srv, in, 6);
  SHOW("w-1: client", p.cli, out, 6);
  pair_close(&p);
}

/* Window 5: outcomes mixed within a cumulative range (the first outcome wins), settle
 * without an outcome, and trackers out of order. */
static void mixed(void)
{
  struct pair p;
  pair_open(&p, "srv-d", "cli-d", 5, 5);
  pn_messenger_recv(p.srv, 10);
  pn_tracker_t out[5], in[5];
  put_n(&p, p.cli, "d", 5, out);
  get_n(p.srv, p.cli, 5, in);
  int r1 = pn_messenger_reject(p.srv, in[1], 0);
  int r2 = pn_messenger_accept(p.srv, in[3], PN_CUMULATIVE);
  int r3 = pn_messenger_reject(p.srv, in[2], PN_CUMULATIVE);
  int r4 = pn_messenger_settle(p.srv, in[4], 0);
  printf("w5: reject(in1)=%d accept(in3, CUMULATIVE)=%d reject(in2, CUMULATIVE)=%d settle(in4)=%d\n", r1, r2, r3, r4);
  SHOW("w5: server", p.srv, in, 5);
  PUMP_UNTIL(p.cli, p.srv, none_pending(p.cli, out, 5));
  SHOW("w5: client", p.cli, out, 5);
  printf("w5: reject(in4) untracked now=%d accept(in0) again=%d\n", pn_messenger_reject(p.srv, in[4], 0),
         pn_messenger_accept(p.srv, in[0], 0));
  pump_rounds(p.cli, p.srv, 20);
  SHOW("w5: client (unchanged)", p.cli, out, 5);
  printf("w5: client settle(t2)=%d ", pn_messenger_settle(p.cli, out[2], 0));
  SHOW("client", p.cli, out, 5);
  printf("w5: client settle(t4, CUMULATIVE)=%d ", pn_messenger_settle(p.cli, out[4], PN_CUMULATIVE));
  SHOW("client", p.cli, out, 5);
  PUMP_UNTIL(p.cli, p.srv, none_pending(p.srv, in, 4));
  SHOW("w5: server after the client settled all", p.srv, in, 5);
  pair_close(&p);
}

/* Window 3 with a hole: a tracker settled in the middle of the window, then more puts; the
 * window counts sequence numbers, settled ones included. */
static void hole(void)
{
  struct pair p;
  pair_open(&p, "srv-e", "cli-e", 3, 3);
  /* No credit: the messages stay buffered on the link. */
  pn_tracker_t out[6];
  put_n(&p, p.cli, "e", 3, out);
  SHOW("hole: client after 3 puts", p.cli, out, 3);
  printf("hole: settle(t1)=%d ", pn_messenger_settle(p.cli, out[1], 0));
  SHOW("client", p.cli, out, 3);
  for (int i = 3; i < 6; i++) {
    put_n(&p, p.cli, "e", 1, out + i);
    printf("hole: put %d ", i);
    SHOW("client", p.cli, out, i + 1);
  }
  printf("hole: settle(t4, CUMULATIVE)=%d ", pn_messenger_settle(p.cli, out[4], PN_CUMULATIVE));
  SHOW("client", p.cli, out, 6);
  printf("hole: outgoing=%d\n", pn_messenger_outgoing(p.cli));
  /* The settled deliveries are discarded by the link; t5 is the only one that arrives. */
  pn_messenger_recv(p.srv, 10);
  PUMP_UNTIL(p.cli, p.srv, pn_messenger_incoming(p.srv) >= 1 && pn_messenger_outgoing(p.cli) == 0);
  pump_rounds(p.cli, p.srv, 20);
  pn_message_t *msg = pn_message();
  int got = 0;
  printf("hole: server got:");
  while (pn_messenger_get(p.srv, msg) == 0) {
    static char text[64];
    size_t n = sizeof(text);
    pn_data_format(pn_message_body(msg), text, &n);
    printf(" %.*s", (int)n, text);
    got++;
  }
  printf(" (%d)\n", got);
  SHOW("hole: client", p.cli, out, 6);
  pn_message_free(msg);
  pair_close(&p);
}

int main(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  untracked();
  window_one();
  unlimited();
  mixed();
  hole();
  printf("done\n");
  return 0;
}
