/* pn_messenger_interrupt from a second thread wakes a messenger blocked (timeout -1) in
 * recv, in work, in send (to a peer that never answers), in stop and in
 * pn_subscription_address; an interrupt made while nothing blocks ends the next blocking
 * call at once, and only that one.  A blocked call that is not woken within 10 s is reported
 * and the program exits. */
#define _GNU_SOURCE
#include "messenger_common.h"

#include <pthread.h>

static int port;
static char addr[128];

static const char *url(const char *fmt)
{
  snprintf(addr, sizeof(addr), fmt, port);
  return addr;
}

enum call { RECV, WORK, SEND, STOP, SUB_ADDRESS };

struct blocked {
  pn_messenger_t *m;
  enum call call;
  pn_subscription_t *sub;
  volatile int interrupted; /* set by the main thread just before interrupting */
  int rc, early;
};

static void *run_blocked(void *arg)
{
  struct blocked *b = arg;
  switch (b->call) {
  case RECV: b->rc = pn_messenger_recv(b->m, 1); break;
  case WORK: b->rc = pn_messenger_work(b->m, -1); break;
  case SEND: b->rc = pn_messenger_send(b->m, -1); break;
  case STOP: b->rc = pn_messenger_stop(b->m); break;
  case SUB_ADDRESS: b->rc = pn_subscription_address(b->sub) ? 1 : 0; break;
  }
  b->early = !b->interrupted;
  return NULL;
}

/* Run the call on a thread, interrupt it from here after 100 ms, and report. */
static void interrupt_blocked(const char *label, pn_messenger_t *m, enum call call, pn_subscription_t *sub)
{
  struct blocked b = {m, call, sub, 0, 12345, 0};
  pthread_t th;
  pthread_create(&th, NULL, run_blocked, &b);
  usleep(100 * 1000);
  b.interrupted = 1;
  int rc = pn_messenger_interrupt(m);
  struct timespec limit;
  clock_gettime(CLOCK_REALTIME, &limit);
  limit.tv_sec += 10;
  if (pthread_timedjoin_np(th, NULL, &limit) != 0) {
    printf("%s: NOT WOKEN by the interrupt\n", label);
    exit(1);
  }
  if (call == SUB_ADDRESS)
    printf("%s: interrupt=%d address=%s returned before the interrupt=%d\n", label, rc,
           b.rc ? "non-NULL" : "NULL", b.early);
  else
    printf("%s: interrupt=%d call=%d(%s) returned before the interrupt=%d errno=%d\n", label, rc, b.rc,
           pn_code(b.rc), b.early, pn_messenger_errno(m));
}

/* A TCP listener that accepts (through the backlog) and never answers. */
static int silent_listener(int p)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(p);
  if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 8) != 0) {
    printf("cannot listen\n");
    exit(1);
  }
  return fd;
}

int main(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);

  /* recv on a listener nobody connects to. */
  port = free_port();
  pn_messenger_t *r = pn_messenger("intr-recv");
  pn_messenger_subscribe(r, url("amqp://~127.0.0.1:%d"));
  interrupt_blocked("recv", r, RECV, NULL);
  /* The interrupt was used up: the next call times out normally. */
  pn_messenger_set_timeout(r, 50);
  int rc = pn_messenger_recv(r, 1);
  printf("recv: next recv(1) with timeout 50=%d(%s)\n", rc, pn_code(rc));
  pn_messenger_set_timeout(r, -1);

  /* work(-1) on the same idle listener. */
  interrupt_blocked("work", r, WORK, NULL);
  rc = pn_messenger_work(r, 50);
  printf("work: next work(50)=%d(%s)\n", rc, pn_code(rc));

  /* An interrupt while nothing blocks: the next blocking call ends at once, the one after
   * waits again. */
  pn_messenger_interrupt(r);
  double t0 = now_ms();
  rc = pn_messenger_recv(r, 1);
  printf("pending interrupt: recv(1)=%d(%s) at once=%d\n", rc, pn_code(rc), now_ms() - t0 < 1000);
  pn_messenger_set_timeout(r, 50);
  rc = pn_messenger_work(r, 50);
  printf("pending interrupt: then work(50)=%d(%s)\n", rc, pn_code(rc));
  pn_messenger_interrupt(r);
  rc = pn_messenger_work(r, 50);
  printf("pending interrupt: work(50)=%d(%s)\n", rc, pn_code(rc));
  /* Several interrupts before a call count once. */
  pn_messenger_interrupt(r);
  pn_messenger_interrupt(r);
  pn_messenger_interrupt(r);
  int rc1 = pn_messenger_work(r, 50), rc2 = pn_messenger_work(r, 50);
  printf("three interrupts: work(50)=%d(%s) then %d(%s)\n", rc1, pn_code(rc1), rc2, pn_code(rc2));
  pn_messenger_set_timeout(r, -1);

  /* send(-1) to a peer that accepts the TCP connection and never says a word. */
  int sport = free_port();
  int lfd = silent_listener(sport);
  pn_messenger_t *s = pn_messenger("intr-send");
  snprintf(addr, sizeof(addr), "amqp://127.0.0.1:%d/q", sport);
  pn_message_t *msg = make_message(addr, NULL, "never");
  pn_messenger_put(s, msg);
  pn_message_free(msg);
  interrupt_blocked("send", s, SEND, NULL);
  printf("send: outgoing=%d stopped=%d\n", pn_messenger_outgoing(s), pn_messenger_stopped(s));

  /* pn_subscription_address on a subscription whose peer never attaches. */
  pn_subscription_t *sub = pn_messenger_subscribe(s, addr);
  interrupt_blocked("subscription address", s, SUB_ADDRESS, sub);

  /* stop: the peer never answers the close. */
  interrupt_blocked("stop", s, STOP, NULL);
  printf("stop: stopped=%d\n", pn_messenger_stopped(s));
  pn_messenger_set_blocking(s, false);
  close(lfd);
  PUMP_UNTIL(s, NULL, pn_messenger_stopped(s));
  printf("stop: stopped after the peer went=%d\n", pn_messenger_stopped(s));

  pn_messenger_set_blocking(r, false);
  pn_messenger_stop(r);
  printf("recv messenger stopped=%d\n", pn_messenger_stopped(r));
  pn_messenger_free(r);
  pn_messenger_free(s);
  printf("done\n");
  return 0;
}
