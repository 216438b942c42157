/* Two passive messengers in one process, driven only by the application's select() loop
 * (messenger_selectables.h): a sender puts 1, 16, 1024 and 4096 messages with tracked
 * windows, the receiver gets and accepts them as they arrive; every message arrives once, in
 * order, and every tracker ends ACCEPTED.  Then both stop through the loop: stop returns
 * PN_INPROGRESS and `stopped` turns true only once the loop has pumped the close and
 * released the terminal selectables.  Also a receiver that accepts only some (REJECTED and
 * never-settled ones), and a window smaller than the batch. */
#include "messenger_selectables.h"

static int port;
static char addr[128];

static const char *url(const char *fmt)
{
  snprintf(addr, sizeof(addr), fmt, port);
  return addr;
}

/* Put n messages with bodies "<k>" to the pair's listener; trackers in t. */
static void put_all(pn_messenger_t *s, int n, pn_tracker_t *t)
{
  pn_message_t *msg = pn_message();
  for (int i = 0; i < n; i++) {
    char body[16];
    snprintf(body, sizeof(body), "%d", i);
    pn_message_set_address(msg, url("amqp://127.0.0.1:%d/pump"));
    pn_data_t *b = pn_message_body(msg);
    pn_data_clear(b);
    pn_data_put_string(b, pn_bytes(strlen(body), body));
    int rc = pn_messenger_put(s, msg);
    if (rc) printf("put %d: %d\n", i, rc);
    t[i] = pn_messenger_outgoing_tracker(s);
  }
  pn_message_free(msg);
}

struct receiver {
  pn_messenger_t *m;
  pn_message_t *msg;
  int got, out_of_order;
  int reject_every; /* 0: accept all; k: reject every k-th, settle every (k+1)-th unanswered */
};

/* Get what has arrived; accept (or reject) each. */
static void take(struct receiver *r)
{
  while (pn_messenger_incoming(r->m) > 0) {
    if (pn_messenger_get(r->m, r->msg) != 0) {
      printf("get failed\n");
      return;
    }
    pn_data_t *b = pn_message_body(r->msg);
    pn_data_next(b);
    pn_bytes_t s = pn_data_get_string(b);
    char text[16];
    snprintf(text, sizeof(text), "%.*s", (int)s.size, s.start);
    if (atoi(text) != r->got) r->out_of_order++;
    pn_tracker_t t = pn_messenger_incoming_tracker(r->m);
    if (r->reject_every && r->got % r->reject_every == r->reject_every - 1)
      pn_messenger_reject(r->m, t, 0);
    else if (r->reject_every && r->got % (r->reject_every + 1) == r->reject_every)
      pn_messenger_settle(r->m, t, 0);
    else
      pn_messenger_accept(r->m, t, 0);
    r->got++;
  }
}

static int count_status(pn_messenger_t *s, pn_tracker_t *t, int n, pn_status_t status)
{
  int c = 0;
  for (int i = 0; i < n; i++) c += pn_messenger_status(s, t[i]) == status;
  return c;
}

/* The first n trackers have an outcome (or none are tracked any more). */
static int settled_count(pn_messenger_t *s, pn_tracker_t *t, int n)
{
  int c = 0;
  for (int i = 0; i < n; i++) {
    pn_status_t st = pn_messenger_status(s, t[i]);
    c += st != PN_STATUS_PENDING;
  }
  return c;
}

static void run(int n, int out_window, int in_window, int reject_every)
{
  port = free_port();
  pn_messenger_t *r = pn_messenger("pump-recv");
  pn_messenger_t *s = pn_messenger("pump-send");
  pn_messenger_set_passive(r, true);
  pn_messenger_set_passive(s, true);
  pn_messenger_set_incoming_window(r, in_window);
  pn_messenger_set_outgoing_window(s, out_window);
  if (!pn_messenger_subscribe(r, url("amqp://~127.0.0.1:%d"))) {
    printf("cannot listen\n");
    exit(1);
  }
  struct loop L;
  loop_init(&L, 0);
  loop_add(&L, r, 'R');
  loop_add(&L, s, 'S');
  int rc = pn_messenger_recv(r, -1);
  printf("n=%d windows out=%d in=%d: recv(-1)=%s", n, out_window, in_window, pn_code(rc));
  pn_tracker_t *t = calloc((size_t)n, sizeof(*t));
  put_all(s, n, t);
  printf(" outgoing=%d", pn_messenger_outgoing(s));
  rc = pn_messenger_send(s, -1);
  printf(" send(-1)=%s\n", pn_code(rc));
  struct receiver rcv = {r, pn_message(), 0, 0, reject_every};
  int tracked = n < out_window ? n : out_window;
  pn_tracker_t *last = t + (n - tracked); /* the trackers still in the window */
  double t0 = now_ms();
  while ((rcv.got < n || settled_count(s, last, tracked) < tracked) && now_ms() - t0 < 60000) {
    loop_round(&L, 50);
    take(&rcv);
    pn_messenger_recv(r, -1);
  }
  printf("  got=%d out_of_order=%d incoming=%d outgoing=%d\n", rcv.got, rcv.out_of_order,
         pn_messenger_incoming(r), pn_messenger_outgoing(s));
  printf("  last %d trackers: ACCEPTED=%d REJECTED=%d SETTLED=%d PENDING=%d UNKNOWN=%d", tracked,
         count_status(s, last, tracked, PN_STATUS_ACCEPTED),
         count_status(s, last, tracked, PN_STATUS_REJECTED),
         count_status(s, last, tracked, PN_STATUS_SETTLED),
         count_status(s, last, tracked, PN_STATUS_PENDING),
         count_status(s, last, tracked, PN_STATUS_UNKNOWN));
  if (tracked < n) printf(" earlier UNKNOWN=%d", count_status(s, t, n - tracked, PN_STATUS_UNKNOWN));
  printf("\n");
  /* send(-1) is done once every outcome arrived and the loop wrote what was left. */
  int rounds = 0;
  while ((rc = pn_messenger_send(s, -1)) == PN_INPROGRESS && rounds++ < 200) loop_round(&L, 20);
  printf("  send(-1)=%s\n", pn_code(rc));
  pn_messenger_settle(s, pn_messenger_outgoing_tracker(s), PN_CUMULATIVE);
  int a = pn_messenger_stop(r), b = pn_messenger_stop(s);
  printf("  stop=%s,%s stopped=%d,%d\n", pn_code(a), pn_code(b), pn_messenger_stopped(r),
         pn_messenger_stopped(s));
  int not_before_release = 1;
  t0 = now_ms();
  while (!(pn_messenger_stopped(r) && pn_messenger_stopped(s)) && now_ms() - t0 < 10000) {
    int before[2] = {L.released[0], L.released[1]};
    loop_round(&L, 50);
    /* Stopped may only turn true in a round that released something of that messenger. */
    if (pn_messenger_stopped(r) && L.released[0] == before[0] && before[0] < 2) not_before_release = 0;
    if (pn_messenger_stopped(s) && L.released[1] == before[1] && before[1] < 1) not_before_release = 0;
  }
  printf("  stopped=%d,%d released=%d,%d left=%d only after release=%d stop=%s,%s\n",
         pn_messenger_stopped(r), pn_messenger_stopped(s), L.released[0], L.released[1], L.n,
         not_before_release, pn_code(pn_messenger_stop(r)), pn_code(pn_messenger_stop(s)));
  pn_message_free(rcv.msg);
  free(t);
  pn_messenger_free(r);
  pn_messenger_free(s);
}

int main(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  run(1, 1, 1, 0);
  run(16, 16, 16, 0);
  run(1024, 1024, 1024, 0);
  run(4096, 4096, 4096, 0);
  /* Outgoing window smaller than the batch: only the last 100 stay tracked. */
  run(1024, 100, 1024, 0);
  /* Every 4th rejected, every 5th settled without an outcome. */
  run(40, 40, 40, 4);
  printf("done\n");
  return 0;
}
