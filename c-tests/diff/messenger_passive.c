/* Passive mode: the selectables a messenger hands out (pn_messenger_selectable) at every
 * deterministic point of its life (new, after work, subscribe, put to a new or known address,
 * stop), the return codes of the blocking calls, a message exchange driven by the
 * application's select() loop and the stop through that loop (stopped only once the
 * terminal selectables are released), pn_selectable() objects and their callbacks, the
 * interrupt pipe, pn_messenger_deadline.
 *
 * 0.37 crashes freeing a passive messenger whose connections were never stopped through
 * the loop after it ran send/recv/work: those are left to the process exit. */
#include "messenger_selectables.h"

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

/* Print what m hands out until NULL, without registering anything. */
static void show_pending(const char *label, pn_messenger_t *m)
{
  pn_selectable_t *s;
  int n = 0;
  printf("%s:", label);
  while ((s = pn_messenger_selectable(m))) {
    printf(n++ ? ", " : " ");
    print_sel(s);
  }
  printf("%s\n", n ? "" : " (none)");
}

/* ---- a fresh messenger ------------------------------------------------------------------ */

static void fresh(void)
{
  pn_messenger_t *m = pn_messenger("fresh");
  pn_messenger_set_passive(m, true);
  printf("fresh: passive=%d deadline=%d\n", pn_messenger_is_passive(m),
         (int)pn_messenger_deadline(m));
  pn_selectable_t *first = pn_messenger_selectable(m);
  printf("fresh: first=");
  print_sel(first);
  printf(" attachments=%s\n", pn_selectable_attachments(first) ? "non-NULL" : "NULL");
  show_pending("fresh: then", m);
  rc_line("fresh: recv(5)", pn_messenger_recv(m, 5));
  print_merr(m, 0);
  printf("\n");
  rc_line("fresh: send(-1)", pn_messenger_send(m, -1));
  rc_line("fresh: work(0)", pn_messenger_work(m, 0));
  rc_line("fresh: work(-1)", pn_messenger_work(m, -1));
  rc_line("fresh: stop", pn_messenger_stop(m));
  printf("fresh: stopped=%d\n", pn_messenger_stopped(m));
  show_pending("fresh: after all that", m);
  pn_messenger_free(m);
}

/* ---- an active messenger's loop takes its selectables ----------------------------------- */

static void active(void)
{
  port = free_port();
  pn_messenger_t *m = pn_messenger("active");
  show_pending("active: new", m);
  pn_messenger_t *m2 = pn_messenger("active2");
  rc_line("active: work(0)", pn_messenger_work(m2, 0));
  show_pending("active: after work", m2);
  pn_messenger_subscribe(m2, url("amqp://~127.0.0.1:%d"));
  show_pending("active: after subscribe", m2);
  pn_messenger_t *m3 = pn_messenger("active3");
  pn_messenger_subscribe(m3, url("amqp://~127.0.0.1:%d")); /* port in use by m2 */
  print_merr(m3, port);
  printf("\n");
  pn_messenger_t *m4 = pn_messenger("active4");
  int port4 = free_port();
  snprintf(addr, sizeof(addr), "amqp://~127.0.0.1:%d", port4);
  pn_messenger_subscribe(m4, addr);
  rc_line("active: work(0) with a listener", pn_messenger_work(m4, 0));
  show_pending("active: after subscribe and work", m4);
  pn_messenger_set_passive(m4, true);
  show_pending("active: then passive", m4);
  pn_messenger_set_passive(m4, false);
  rc_line("active: stop m4", pn_messenger_stop(m4));
  /* m2's listener selectable was taken by the application (show_pending) before 0.37's
   * own loop saw it: 0.37 never releases it, and a blocking stop waits forever. */
  pn_messenger_set_blocking(m2, false);
  int rc = pn_messenger_stop(m2);
  printf(INFO "active: stop m2 (listener taken by the application)=%d stopped=%d\n", rc,
         pn_messenger_stopped(m2));
  printf("active: stopped m4=%d\n", pn_messenger_stopped(m4));
  pn_messenger_free(m);
  pn_messenger_free(m2);
  pn_messenger_free(m3);
  pn_messenger_free(m4);
}

/* ---- a passive receiver: listener, stop ------------------------------------------------- */

static void receiver(void)
{
  port = free_port();
  pn_messenger_t *r = pn_messenger("receiver");
  pn_messenger_set_passive(r, true);
  pn_subscription_t *sub = pn_messenger_subscribe(r, url("amqp://~127.0.0.1:%d"));
  printf("receiver: subscribe=%s deadline=%d\n", sub ? "non-NULL" : "NULL",
         (int)pn_messenger_deadline(r));
  rc_line("receiver: recv(5) (no connection yet)", pn_messenger_recv(r, 5));
  show_pending("receiver: after subscribe", r);
  rc_line("receiver: work(0)", pn_messenger_work(r, 0));
  rc_line("receiver: send(-1)", pn_messenger_send(r, -1));
  printf("receiver: subscription address=%s\n", pn_subscription_address(sub) ? "non-NULL" : "NULL");
  rc_line("receiver: stop", pn_messenger_stop(r));
  printf("receiver: stopped=%d\n", pn_messenger_stopped(r));
  /* Nothing registered: the terminal listener is not handed out again. */
  show_pending("receiver: after stop, nothing registered", r);
  printf("receiver: stopped=%d stop=%d\n", pn_messenger_stopped(r), pn_messenger_stop(r));

  /* The same with the selectables registered. */
  port = free_port();
  pn_messenger_t *r2 = pn_messenger("receiver2");
  pn_messenger_set_passive(r2, true);
  pn_messenger_subscribe(r2, url("amqp://~127.0.0.1:%d"));
  struct loop L;
  loop_init(&L, 1);
  loop_add(&L, r2, 'R');
  printf("receiver2: drain\n");
  loop_drain(&L, 0);
  printf("receiver2: drain again\n");
  loop_drain(&L, 0);
  rc_line("receiver2: stop", pn_messenger_stop(r2));
  printf("receiver2: drain after stop\n");
  loop_drain(&L, 0);
  printf("receiver2: stopped=%d stop=%d released=%d\n", pn_messenger_stopped(r2),
         pn_messenger_stop(r2), L.released[0]);
  /* A new subscribe after stop listens again, with a new selectable. */
  port = free_port();
  pn_messenger_subscribe(r2, url("amqp://~127.0.0.1:%d"));
  printf("receiver2: subscribe again, stopped=%d\n", pn_messenger_stopped(r2));
  loop_drain(&L, 0);
  pn_messenger_stop(r2);
  loop_drain(&L, 0);
  printf("receiver2: stopped=%d\n", pn_messenger_stopped(r2));
  pn_messenger_free(r2);
  /* r: its listener was never released; 0.37 frees it anyway. */
  pn_messenger_free(r);
}

/* ---- a passive sender: connections made by put and subscribe ---------------------------- */

static void sender(void)
{
  port = free_port();
  /* A plain listening socket that never answers: connections get made, nothing else. */
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 8) != 0) {
    printf("cannot listen\n");
    exit(1);
  }
  pn_messenger_t *s = pn_messenger("sender");
  pn_messenger_set_passive(s, true);
  pn_messenger_set_outgoing_window(s, 10);
  pn_message_t *msg = make_message(url("amqp://127.0.0.1:%d/a"), NULL, "one");
  rc_line("sender: put to a new address", pn_messenger_put(s, msg));
  pn_tracker_t t = pn_messenger_outgoing_tracker(s);
  printf("sender: outgoing=%d status=%s buffered=%d stopped=%d\n", pn_messenger_outgoing(s),
         status_name(pn_messenger_status(s, t)), pn_messenger_buffered(s, t), pn_messenger_stopped(s));
  pn_selectable_t *conn = pn_messenger_selectable(s);
  printf("sender: first=");
  print_sel(conn);
  printf("\n");
  show_pending("sender: then", s);
  pn_messenger_put(s, msg);
  show_pending("sender: put to the same address (not registered)", s);
  pn_message_set_address(msg, url("amqp://127.0.0.1:%d/b"));
  pn_messenger_put(s, msg);
  show_pending("sender: put to the same host, another path", s);
  rc_line("sender: send(-1)", pn_messenger_send(s, -1));
  rc_line("sender: send(0)", pn_messenger_send(s, 0));
  rc_line("sender: work(0)", pn_messenger_work(s, 0));
  rc_line("sender: recv(1)", pn_messenger_recv(s, 1));
  printf("sender: deadline=%d\n", (int)pn_messenger_deadline(s));
  pn_subscription_t *sub = pn_messenger_subscribe(s, url("amqp://127.0.0.1:%d/in"));
  printf("sender: subscribe remote=%s deadline=%d\n", sub ? "non-NULL" : "NULL",
         (int)pn_messenger_deadline(s));
  show_pending("sender: after subscribe remote", s);
  int64_t dl = pn_messenger_deadline(s), now = wall_ms();
  printf("sender: deadline after selectable: %s\n",
         dl == 0 ? "0" : (dl >= now + 100 && dl <= now + 250) ? "in about 250 ms" : "other");
  dl = pn_selectable_get_deadline(conn);
  printf("sender: the connection's deadline: %s\n",
         dl == 0 ? "0" : (dl >= now + 100 && dl <= now + 250) ? "in about 250 ms" : "other");
  rc_line("sender: recv(3)", pn_messenger_recv(s, 3));
  show_pending("sender: after recv(3)", s);
  printf("sender: deadline=%d receiving=%d\n", (int)pn_messenger_deadline(s), pn_messenger_receiving(s));
  /* Registered now: interest changes bring it back. */
  pn_selectable_set_registered(conn, true);
  pn_message_set_address(msg, url("amqp://127.0.0.2:%d/c"));
  rc_line("sender: put to another host", pn_messenger_put(s, msg));
  show_pending("sender: after put to another host", s);
  printf("sender: outgoing=%d stopped=%d\n", pn_messenger_outgoing(s), pn_messenger_stopped(s));
  rc_line("sender: stop", pn_messenger_stop(s));
  printf("sender: stopped=%d\n", pn_messenger_stopped(s));
  show_pending("sender: after stop", s);
  pn_message_free(msg);
  close(lfd);
  /* s is left to the process exit (see the top of the file). */
}

/* ---- an exchange through the application's select loop, then stop ----------------------- */

static void exchange(void)
{
  port = free_port();
  pn_messenger_t *r = pn_messenger("recv");
  pn_messenger_t *s = pn_messenger("send");
  pn_messenger_set_passive(r, true);
  pn_messenger_set_passive(s, true);
  pn_messenger_set_incoming_window(r, 10);
  pn_messenger_set_outgoing_window(s, 10);
  pn_messenger_subscribe(r, url("amqp://~127.0.0.1:%d"));
  struct loop L;
  loop_init(&L, 0);
  loop_add(&L, r, 'R');
  loop_add(&L, s, 'S');
  rc_line("exchange: recv(10)", pn_messenger_recv(r, 10));
  pn_tracker_t t[3];
  for (int i = 0; i < 3; i++) {
    char body[16];
    snprintf(body, sizeof(body), "m%d", i);
    pn_message_t *msg = make_message(url("amqp://127.0.0.1:%d/q"), NULL, body);
    pn_messenger_put(s, msg);
    t[i] = pn_messenger_outgoing_tracker(s);
    pn_message_free(msg);
  }
  int codes[16] = {0}; /* send(-1) codes seen: -9 and 0 */
  LOOP_UNTIL(&L, (codes[-pn_messenger_send(s, -1)]++, pn_messenger_incoming(r) == 3));
  printf("exchange: incoming=%d send(-1) gave INPROGRESS=%s\n", pn_messenger_incoming(r),
         codes[9] ? "yes" : "no");
  pn_message_t *got = pn_message();
  for (int i = 0; i < 3; i++) {
    pn_messenger_get(r, got);
    pn_data_t *body = pn_message_body(got);
    pn_data_next(body);
    pn_bytes_t b = pn_data_get_string(body);
    printf("exchange: got %.*s\n", (int)b.size, b.start);
  }
  pn_message_free(got);
  pn_messenger_accept(r, pn_messenger_incoming_tracker(r), PN_CUMULATIVE);
  LOOP_UNTIL(&L, pn_messenger_status(s, t[2]) == PN_STATUS_ACCEPTED);
  show_trackers("exchange: trackers", s, t, 3);
  rc_line("exchange: send(-1)", pn_messenger_send(s, -1));
  rc_line("exchange: recv(10) with nothing there", pn_messenger_recv(r, 10));
  /* Let everything settle, then look at what a quiet pair hands out. */
  for (int i = 0; i < 5; i++) loop_round(&L, 20);
  L.verbose = 1;
  printf("exchange: quiet:\n");
  loop_drain(&L, 0);
  loop_drain(&L, 1);
  rc_line("exchange: stop receiver", pn_messenger_stop(r));
  rc_line("exchange: stop sender", pn_messenger_stop(s));
  printf("exchange: stopped=%d,%d\n", pn_messenger_stopped(r), pn_messenger_stopped(s));
  printf("exchange: receiver after stop:\n");
  loop_drain(&L, 0);
  printf("exchange: sender after stop:\n");
  loop_drain(&L, 1);
  L.verbose = 0;
  LOOP_UNTIL(&L, pn_messenger_stopped(r) && pn_messenger_stopped(s));
  printf("exchange: stopped=%d,%d released=%d,%d left=%d stop=%d,%d\n", pn_messenger_stopped(r),
         pn_messenger_stopped(s), L.released[0], L.released[1], L.n, pn_messenger_stop(r),
         pn_messenger_stop(s));
  show_trackers("exchange: trackers after stop", s, t, 3);
  pn_messenger_free(r);
  pn_messenger_free(s);
}

/* ---- pn_selectable(): the application's own selectables --------------------------------- */

static int calls[6];
static void on_readable(pn_selectable_t *s) { (void)s; calls[0]++; }
static void on_writable(pn_selectable_t *s) { (void)s; calls[1]++; }
static void on_expired(pn_selectable_t *s) { (void)s; calls[2]++; }
static void on_error(pn_selectable_t *s) { (void)s; calls[3]++; }
static void on_release(pn_selectable_t *s) { (void)s; calls[4]++; }
static void on_finalize(pn_selectable_t *s) { (void)s; calls[5]++; }

static void own_selectable(void)
{
  pn_selectable_t *s = pn_selectable();
  printf("own: fd=%d r=%d w=%d dl=%d reg=%d term=%d attachments=%s\n", pn_selectable_get_fd(s),
         pn_selectable_is_reading(s), pn_selectable_is_writing(s), (int)pn_selectable_get_deadline(s),
         pn_selectable_is_registered(s), pn_selectable_is_terminal(s),
         pn_selectable_attachments(s) ? "non-NULL" : "NULL");
  pn_selectable_readable(s); /* no callbacks yet: nothing happens */
  pn_selectable_writable(s);
  pn_selectable_expired(s);
  pn_selectable_error(s);
  pn_selectable_release(s);
  pn_selectable_set_fd(s, 7);
  pn_selectable_set_reading(s, true);
  pn_selectable_set_writing(s, true);
  pn_selectable_set_deadline(s, 1234567);
  pn_selectable_set_registered(s, true);
  printf("own: set: fd=%d r=%d w=%d dl=%d reg=%d term=%d same attachments=%d\n",
         pn_selectable_get_fd(s), pn_selectable_is_reading(s), pn_selectable_is_writing(s),
         (int)pn_selectable_get_deadline(s), pn_selectable_is_registered(s),
         pn_selectable_is_terminal(s),
         pn_selectable_attachments(s) == pn_selectable_attachments(s));
  pn_selectable_set_reading(s, false);
  pn_selectable_set_writing(s, false);
  pn_selectable_set_registered(s, false);
  pn_selectable_terminate(s);
  printf("own: r=%d w=%d reg=%d term=%d\n", pn_selectable_is_reading(s), pn_selectable_is_writing(s),
         pn_selectable_is_registered(s), pn_selectable_is_terminal(s));
  pn_selectable_on_readable(s, on_readable);
  pn_selectable_on_writable(s, on_writable);
  pn_selectable_on_expired(s, on_expired);
  pn_selectable_on_error(s, on_error);
  pn_selectable_on_release(s, on_release);
  pn_selectable_on_finalize(s, on_finalize);
  pn_selectable_readable(s);
  pn_selectable_readable(s);
  pn_selectable_writable(s);
  pn_selectable_expired(s);
  pn_selectable_error(s);
  pn_selectable_release(s);
  printf("own: calls readable=%d writable=%d expired=%d error=%d release=%d finalize=%d\n", calls[0],
         calls[1], calls[2], calls[3], calls[4], calls[5]);
  pn_selectable_free(s);
  printf("own: after free: release=%d finalize=%d\n", calls[4], calls[5]);
}

/* ---- the interrupt pipe ------------------------------------------------------------------ */

static int fd_readable(int fd)
{
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(fd, &rd);
  struct timeval tv = {0, 0};
  return select(fd + 1, &rd, NULL, NULL, &tv) == 1;
}

static void interrupt_pipe(void)
{
  pn_messenger_t *m = pn_messenger("intr");
  pn_messenger_set_passive(m, true);
  pn_selectable_t *pipe = pn_messenger_selectable(m);
  int fd = pn_selectable_get_fd(pipe);
  printf("interrupt: %s readable=%d\n", fd_kind(fd), fd_readable(fd));
  rc_line("interrupt: interrupt", pn_messenger_interrupt(m));
  printf("interrupt: readable=%d\n", fd_readable(fd));
  rc_line("interrupt: work(0) passive", pn_messenger_work(m, 0));
  rc_line("interrupt: send(-1) passive", pn_messenger_send(m, -1));
  pn_selectable_readable(pipe);
  printf("interrupt: after pn_selectable_readable: readable=%d\n", fd_readable(fd));
  show_pending("interrupt: pending", m);
  rc_line("interrupt: work(0) passive", pn_messenger_work(m, 0));
  pn_messenger_set_passive(m, false);
  rc_line("interrupt: work(0) active", pn_messenger_work(m, 0));
  rc_line("interrupt: work(0) active again", pn_messenger_work(m, 0));
  pn_messenger_interrupt(m);
  pn_messenger_interrupt(m);
  /* 0.37's own loop never polls the pipe again once the application took its selectable
   * (it was handed out above, in passive mode): these interrupts are lost there. */
  int rc = pn_messenger_work(m, 0);
  printf(INFO "interrupt: two interrupts, work(0)=%d(%s)\n", rc, pn_code(rc));
  rc = pn_messenger_work(m, 0);
  printf(INFO "interrupt: work(0)=%d(%s)\n", rc, pn_code(rc));
  pn_messenger_free(m);
}

int main(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  fresh();
  active();
  receiver();
  sender();
  exchange();
  own_selectable();
  interrupt_pipe();
  printf("done\n");
  return 0;
}
