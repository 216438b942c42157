/* Non-blocking (not passive) mode: put/send/recv/stop/work return codes while work remains
 * (PN_INPROGRESS, PN_TIMEOUT from an idle work) and once it is done, a loop of
 * pn_messenger_work(m, 0) that finishes the job (200 tracked messages, send(n) partial
 * waits), recv before any subscribe (non-blocking and blocking), recv and send after stop,
 * a subscription to a refused port. */
#include "messenger_common.h"

static int port;
static char addr[128];

static const char *url(const char *fmt)
{
  snprintf(addr, sizeof(addr), fmt, port);
  return addr;
}

static void rc_line(const char *label, int rc)
{
  printf("%s=%d(%s)\n", label, rc, pn_code(rc));
}

/* A set of return codes (-16..15) as bits. */
static unsigned long long code_bit(int rc)
{
  return rc >= -16 && rc < 16 ? 1ULL << (rc + 16) : 1ULL << 63;
}

static void before_subscribe(void)
{
  pn_messenger_t *m = pn_messenger("nb-fresh");
  pn_messenger_set_blocking(m, false);
  rc_line("fresh non-blocking: recv(10)", pn_messenger_recv(m, 10));
  print_merr(m, 0);
  printf(" receiving=%d\n", pn_messenger_receiving(m));
  rc_line("fresh non-blocking: recv(-1)", pn_messenger_recv(m, -1));
  rc_line("fresh non-blocking: send(-1)", pn_messenger_send(m, -1));
  rc_line("fresh non-blocking: work(0)", pn_messenger_work(m, 0));
  rc_line("fresh non-blocking: work(30)", pn_messenger_work(m, 30));
  rc_line("fresh non-blocking: stop", pn_messenger_stop(m));
  printf("fresh non-blocking: stopped=%d incoming=%d\n", pn_messenger_stopped(m),
         pn_messenger_incoming(m));
  rc_line("fresh non-blocking: get", pn_messenger_get(m, NULL));
  pn_messenger_free(m);

  pn_messenger_t *b = pn_messenger("b-fresh");
  pn_messenger_set_timeout(b, 100);
  rc_line("fresh blocking: recv(10)", pn_messenger_recv(b, 10));
  print_merr(b, 0);
  printf("\n");
  pn_error_clear(pn_messenger_error(b));
  rc_line("fresh blocking: recv(-1)", pn_messenger_recv(b, -1));
  rc_line("fresh blocking: send(-1)", pn_messenger_send(b, -1));
  rc_line("fresh blocking: stop", pn_messenger_stop(b));
  /* Turning non-blocking after a blocking error: the error stays (sticky). */
  pn_messenger_set_blocking(b, false);
  rc_line("fresh blocking then non-blocking: recv(10)", pn_messenger_recv(b, 10));
  print_merr(b, 0);
  printf("\n");
  pn_messenger_free(b);
}

static void exchange(void)
{
  port = free_port();
  pn_messenger_t *r = pn_messenger("nb-recv");
  pn_messenger_t *s = pn_messenger("nb-send");
  pn_messenger_set_blocking(r, false);
  pn_messenger_set_blocking(s, false);
  pn_messenger_set_incoming_window(r, 200);
  pn_messenger_set_outgoing_window(s, 200);
  pn_messenger_subscribe(r, url("amqp://~127.0.0.1:%d"));
  rc_line("exchange: recv(200) with a listener only", pn_messenger_recv(r, 200));
  rc_line("exchange: work(0) idle listener", pn_messenger_work(r, 0));
  enum { N = 200 };
  pn_tracker_t t[N];
  unsigned long long put_codes = 0;
  for (int i = 0; i < N; i++) {
    char body[16];
    snprintf(body, sizeof(body), "%d", i);
    pn_message_t *msg = make_message(url("amqp://127.0.0.1:%d/nb"), NULL, body);
    put_codes |= code_bit(pn_messenger_put(s, msg));
    t[i] = pn_messenger_outgoing_tracker(s);
    pn_message_free(msg);
  }
  printf("exchange: put codes 0 only=%d outgoing=%d\n", put_codes == code_bit(0),
         pn_messenger_outgoing(s));
  rc_line("exchange: send(-1) right after put", pn_messenger_send(s, -1));
  rc_line("exchange: send(0)", pn_messenger_send(s, 0));
  /* The sender waits for credit: the receiver has not been worked yet. */
  printf("exchange: outgoing=%d status=%s\n", pn_messenger_outgoing(s),
         status_name(pn_messenger_status(s, t[0])));
  rc_line("exchange: work(0) sender", pn_messenger_work(s, 0));
  /* A loop of work(0) finishes the job; recv/send codes seen on the way. */
  unsigned long long recv_codes = 0, send_codes = 0, work_codes = 0;
  int got = 0, out_of_order = 0;
  pn_message_t *msg = pn_message();
  double t0 = now_ms();
  while ((got < N || pn_messenger_status(s, t[N - 1]) != PN_STATUS_ACCEPTED) && now_ms() - t0 < 20000) {
    work_codes |= code_bit(pn_messenger_work(s, 0));
    work_codes |= code_bit(pn_messenger_work(r, 0));
    recv_codes |= code_bit(pn_messenger_recv(r, N - got));
    while (pn_messenger_incoming(r)) {
      pn_messenger_get(r, msg);
      pn_data_t *b = pn_message_body(msg);
      pn_data_next(b);
      pn_bytes_t text = pn_data_get_string(b);
      char tmp[16];
      snprintf(tmp, sizeof(tmp), "%.*s", (int)text.size, text.start);
      if (atoi(tmp) != got) out_of_order++;
      got++;
      pn_messenger_accept(r, pn_messenger_incoming_tracker(r), 0);
    }
    send_codes |= code_bit(pn_messenger_send(s, -1));
  }
  pn_message_free(msg);
  printf("exchange: got=%d out_of_order=%d\n", got, out_of_order);
  printf("exchange: work gave only 1 or PN_TIMEOUT=%d, 1 at least once=%d\n",
         (work_codes & ~(code_bit(1) | code_bit(PN_TIMEOUT))) == 0, !!(work_codes & code_bit(1)));
  printf("exchange: recv gave only 0 or PN_INPROGRESS=%d\n",
         (recv_codes & ~(code_bit(0) | code_bit(PN_INPROGRESS))) == 0);
  printf("exchange: send gave only 0 or PN_INPROGRESS=%d, PN_INPROGRESS at least once=%d\n",
         (send_codes & ~(code_bit(0) | code_bit(PN_INPROGRESS))) == 0,
         !!(send_codes & code_bit(PN_INPROGRESS)));
  int accepted = 0;
  for (int i = 0; i < N; i++) accepted += pn_messenger_status(s, t[i]) == PN_STATUS_ACCEPTED;
  printf("exchange: accepted=%d\n", accepted);
  /* Work until the sender has written the last disposition echo, then send is done. */
  int rc, rounds = 0;
  while ((rc = pn_messenger_send(s, -1)) == PN_INPROGRESS && rounds++ < 1000) {
    pn_messenger_work(s, 0);
    pn_messenger_work(r, 0);
  }
  rc_line("exchange: send(-1) at the end", rc);
  rc_line("exchange: recv(1) nothing to come", pn_messenger_recv(r, 1));
  rc_line("exchange: work(0) idle sender", pn_messenger_work(s, 0));

  /* send(n): done once at most outgoing-n messages are undetermined.  A second receiver
   * that has not called recv yet gives no credit. */
  int port2 = free_port();
  pn_messenger_t *r2 = pn_messenger("nb-recv2");
  pn_messenger_set_blocking(r2, false);
  snprintf(addr, sizeof(addr), "amqp://~127.0.0.1:%d", port2);
  pn_messenger_subscribe(r2, addr);
  snprintf(addr, sizeof(addr), "amqp://127.0.0.1:%d/five", port2);
  for (int i = 0; i < 5; i++) {
    pn_message_t *m5 = make_message(addr, NULL, "five");
    pn_messenger_put(s, m5);
    pn_message_free(m5);
  }
  pump_rounds(r2, s, 20);
  printf("send(n): outgoing=%d receiving=%d\n", pn_messenger_outgoing(s), pn_messenger_receiving(r2));
  rc_line("send(n): send(2) with no credit", pn_messenger_send(s, 2));
  rc_line("send(n): send(0)", pn_messenger_send(s, 0));
  pn_messenger_recv(r2, 2);
  PUMP_UNTIL(r2, s, pn_messenger_incoming(r2) == 2);
  pump_rounds(r2, s, 10);
  printf("send(n): outgoing=%d incoming=%d\n", pn_messenger_outgoing(s), pn_messenger_incoming(r2));
  rc_line("send(n): send(3)", pn_messenger_send(s, 3));
  rc_line("send(n): send(2)", pn_messenger_send(s, 2));
  rc_line("send(n): send(4)", pn_messenger_send(s, 4));
  rc_line("send(n): send(-1)", pn_messenger_send(s, -1));
  pn_messenger_recv(r2, 3);
  PUMP_UNTIL(r2, s, pn_messenger_incoming(r2) == 5);
  pn_messenger_accept(r2, 0, 0);
  while (pn_messenger_get(r2, NULL) == 0) pn_messenger_accept(r2, pn_messenger_incoming_tracker(r2), 0);
  PUMP_UNTIL(r2, s, pn_messenger_send(s, -1) == 0);
  printf("send(n): outgoing=%d send(-1)=0\n", pn_messenger_outgoing(s));
  pn_messenger_stop(r2);
  PUMP_UNTIL(r2, s, pn_messenger_stopped(r2));
  pn_messenger_free(r2);

  /* Stop through work(0). */
  int a = pn_messenger_stop(s);
  printf("stop: sender %s stopped=%d\n", pn_code(a), pn_messenger_stopped(s));
  /* (Whether the receiver's stop finds the sender's close already there is timing.) */
  int b = pn_messenger_stop(r);
  printf("stop: receiver 0 or PN_INPROGRESS=%d\n", b == 0 || b == PN_INPROGRESS);
  t0 = now_ms();
  while (!(pn_messenger_stopped(s) && pn_messenger_stopped(r)) && now_ms() - t0 < 5000) {
    pn_messenger_work(s, 0);
    pn_messenger_work(r, 0);
  }
  printf("stop: stopped=%d,%d stop=%s,%s\n", pn_messenger_stopped(s), pn_messenger_stopped(r),
         pn_code(pn_messenger_stop(s)), pn_code(pn_messenger_stop(r)));
  rc_line("after stop: recv(1)", pn_messenger_recv(r, 1));
  rc_line("after stop: send(-1)", pn_messenger_send(s, -1));
  rc_line("after stop: work(0)", pn_messenger_work(s, 0));
  pn_messenger_set_blocking(r, true);
  pn_messenger_set_timeout(r, 100);
  rc_line("after stop, blocking: recv(1)", pn_messenger_recv(r, 1));
  print_merr(r, 0);
  printf("\n");
  pn_messenger_free(r);
  pn_messenger_free(s);
}

static void refused(void)
{
  port = free_port();
  pn_messenger_t *m = pn_messenger("nb-refused");
  pn_messenger_set_blocking(m, false);
  pn_subscription_t *sub = pn_messenger_subscribe(m, url("amqp://127.0.0.1:%d/x"));
  printf("refused: subscribe=%s stopped=%d\n", sub ? "non-NULL" : "NULL", pn_messenger_stopped(m));
  int rc = pn_messenger_recv(m, 1);
  rc_line("refused: recv(1)", rc);
  PUMP_UNTIL(m, NULL, pn_messenger_stopped(m));
  printf("refused: stopped=%d\n", pn_messenger_stopped(m));
  rc_line("refused: recv(1) after", pn_messenger_recv(m, 1));
  print_merr(m, port);
  printf("\n");
  pn_messenger_free(m);
}

int main(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  before_subscribe();
  exchange();
  refused();
  printf("done\n");
  return 0;
}
