/* Tracers (with PN_TRACE_FRM=1), passive mode, pn_messenger_interrupt from another thread,
 * pn_subscription_address waits, blocking send/recv/stop between two threads. */
#include "messenger_common.h"

#include <pthread.h>
#include <sys/wait.h>

static int port;
static char addr[128];

static const char *url(const char *fmt)
{
  snprintf(addr, sizeof(addr), fmt, port);
  return addr;
}

/* ---- tracer ------------------------------------------------------------------------- */

struct trace_log {
  int calls, null_transport;
  int open_out, open_in, attach_out, transfer_out;
  char first[128];
};
static struct trace_log client_log, server_log, late_log;

static void record(struct trace_log *log, pn_transport_t *t, const char *msg)
{
  if (log->calls++ == 0) snprintf(log->first, sizeof(log->first), "%s", msg);
  if (!t) log->null_transport++;
  if (strncmp(msg, "FRAME: 0 -> @open(16) [container-id=\"", 37) == 0) log->open_out++;
  if (strncmp(msg, "FRAME: 0 <- @open(16) [container-id=\"", 37) == 0) log->open_in++;
  if (strncmp(msg, "FRAME: 0 -> @attach(18) [name=", 30) == 0) log->attach_out++;
  if (strncmp(msg, "FRAME: 0 -> @transfer(20) [handle=0", 35) == 0) log->transfer_out++;
}
static void client_tracer(pn_transport_t *t, const char *msg) { record(&client_log, t, msg); }
static void server_tracer(pn_transport_t *t, const char *msg) { record(&server_log, t, msg); }
static void late_tracer(pn_transport_t *t, const char *msg) { record(&late_log, t, msg); }

static void show_log(const char *label, struct trace_log *log)
{
  printf("%s: called=%d open sent=%d open received=%d attach sent=%d transfer sent=%d\n", label, log->calls > 0,
         log->open_out, log->open_in, log->attach_out, log->transfer_out);
  printf(INFO "%s: calls=%d with a NULL transport=%d first=", label, log->calls, log->null_transport);
  print_cstr(log->calls ? log->first : NULL);
  printf("\n");
}

static void tracers(void)
{
  port = free_port();
  pn_messenger_t *srv = pn_messenger("server");
  pn_messenger_t *cli = pn_messenger("client");
  pn_messenger_set_tracer(srv, server_tracer);
  pn_messenger_set_tracer(cli, client_tracer);
  pn_messenger_subscribe(srv, url("amqp://~127.0.0.1:%d"));
  pn_messenger_set_blocking(srv, false);
  pn_messenger_recv(srv, 5);
  pn_message_t *msg = make_message(url("amqp://127.0.0.1:%d/traced"), NULL, "x");
  pn_messenger_put(cli, msg);
  PUMP_UNTIL(cli, srv, pn_messenger_incoming(srv) == 1);
  pump_rounds(cli, srv, 5);
  show_log("client tracer (outgoing connection)", &client_log);
  show_log("server tracer (accepted connection: not traced)", &server_log);
  /* A tracer set once the connection exists does not apply to it. */
  pn_messenger_set_tracer(cli, late_tracer);
  pn_messenger_put(cli, msg);
  PUMP_UNTIL(cli, srv, pn_messenger_incoming(srv) == 2);
  pump_rounds(cli, srv, 5);
  show_log("tracer set after connecting", &late_log);
  pn_message_free(msg);
  stop_both(cli, srv);
  pn_messenger_free(cli);
  pn_messenger_free(srv);
}

/* ---- passive mode ------------------------------------------------------------------- */

static void passive(void)
{
  port = free_port();
  pn_messenger_t *srv = pn_messenger("server2");
  pn_messenger_t *cli = pn_messenger("client2");
  pn_messenger_subscribe(srv, url("amqp://~127.0.0.1:%d"));
  pn_messenger_set_blocking(srv, false);
  pn_messenger_recv(srv, 5);
  pn_messenger_set_passive(cli, true);
  pn_message_t *msg = make_message(url("amqp://127.0.0.1:%d/p"), NULL, "passive");
  int rc = pn_messenger_put(cli, msg);
  printf("passive: put=%d outgoing=%d stopped=%d\n", rc, pn_messenger_outgoing(cli), pn_messenger_stopped(cli));
  rc = pn_messenger_send(cli, -1);
  printf("passive: send(-1)=%d(%s)\n", rc, pn_code(rc));
  rc = pn_messenger_send(cli, 0);
  printf("passive: send(0)=%d(%s)\n", rc, pn_code(rc));
  rc = pn_messenger_work(cli, 0);
  printf("passive: work(0)=%d(%s)\n", rc, pn_code(rc));
  rc = pn_messenger_work(cli, 100);
  printf("passive: work(100)=%d(%s)\n", rc, pn_code(rc));
  rc = pn_messenger_recv(cli, 1);
  printf("passive: recv(1)=%d(%s) ", rc, pn_code(rc));
  print_merr(cli, port);
  printf("\n");
  /* The connection's selectable (messenger_passive.c has the selectable lifecycle). */
  printf("passive: selectable=%s\n", pn_messenger_selectable(cli) ? "non-NULL" : "NULL");
  pump_rounds(srv, NULL, 20);
  printf("passive: server incoming=%d (nothing written)\n", pn_messenger_incoming(srv));
  /* Turning passive mode off: 0.37 never writes that connection (it belongs to the
   * application's selectable loop by then); ours sends the message. */
  pn_messenger_set_passive(cli, false);
  pn_messenger_set_blocking(cli, false);
  pump_rounds(cli, srv, 50);
  printf(INFO "passive off: server incoming=%d client outgoing=%d\n", pn_messenger_incoming(srv),
         pn_messenger_outgoing(cli));
  pn_message_free(msg);
  pn_messenger_stop(cli);
  pn_messenger_stop(srv);
  double t0 = now_ms();
  while (!(pn_messenger_stopped(cli) && pn_messenger_stopped(srv)) && now_ms() - t0 < 1000) pump_rounds(cli, srv, 1);
  printf(INFO "passive: stopped client=%d server=%d\n", pn_messenger_stopped(cli), pn_messenger_stopped(srv));
  pn_messenger_free(cli);
  pn_messenger_free(srv);
}

/* ---- threads ------------------------------------------------------------------------ */

struct blocked {
  pn_messenger_t *m;
  int rc;
};

static void *blocked_recv(void *arg)
{
  struct blocked *b = arg;
  b->rc = pn_messenger_recv(b->m, 1);
  return NULL;
}

static void interrupt_from_thread(void)
{
  port = free_port();
  pn_messenger_t *m = pn_messenger("blocked");
  pn_messenger_subscribe(m, url("amqp://~127.0.0.1:%d"));
  struct blocked b = {m, 12345};
  pthread_t th;
  double t0 = now_ms();
  pthread_create(&th, NULL, blocked_recv, &b);
  usleep(200 * 1000);
  int rc = pn_messenger_interrupt(m);
  pthread_join(th, NULL);
  double took = now_ms() - t0;
  printf("thread: interrupt=%d blocked recv(1) returned %d(%s) after the interrupt=%d ", rc, b.rc, pn_code(b.rc),
         took >= 150 && took < 3000);
  print_merr(m, port);
  printf("\n");
  pn_messenger_stop(m);
  pn_messenger_free(m);
}

/* A blocking receiver in one thread, a blocking sender in another. */
static void *serve(void *arg)
{
  pn_messenger_t *srv = arg;
  pn_message_t *msg = pn_message();
  int got = 0;
  while (got < 3) {
    if (pn_messenger_recv(srv, 3) != 0) break;
    while (pn_messenger_get(srv, msg) == 0) {
      got++;
      pn_messenger_accept(srv, pn_messenger_incoming_tracker(srv), 0);
    }
  }
  /* Settle so the sender sees the outcomes, then serve until it has closed. */
  pn_messenger_settle(srv, pn_messenger_incoming_tracker(srv), PN_CUMULATIVE);
  pn_messenger_set_timeout(srv, 200);
  for (int i = 0; i < 50 && pn_messenger_work(srv, 100) != PN_INTR; i++) continue;
  pn_message_free(msg);
  return (void *)(intptr_t)got;
}

static void blocking_pair(void)
{
  port = free_port();
  pn_messenger_t *srv = pn_messenger("bserver");
  pn_messenger_t *cli = pn_messenger("bclient");
  pn_messenger_set_timeout(srv, 5000);
  pn_messenger_set_timeout(cli, 5000);
  pn_messenger_set_incoming_window(srv, 10);
  pn_messenger_set_outgoing_window(cli, 10);
  pn_messenger_subscribe(srv, url("amqp://~127.0.0.1:%d"));
  pthread_t th;
  pthread_create(&th, NULL, serve, srv);
  pn_message_t *msg = make_message(url("amqp://127.0.0.1:%d/blocking"), NULL, "b");
  for (int i = 0; i < 3; i++) pn_messenger_put(cli, msg);
  int rc = pn_messenger_send(cli, -1);
  printf("blocking: send(-1)=%d(%s) outgoing=%d statuses %s %s %s\n", rc, pn_code(rc), pn_messenger_outgoing(cli),
         status_name(pn_messenger_status(cli, 0)), status_name(pn_messenger_status(cli, 1)),
         status_name(pn_messenger_status(cli, 2)));
  rc = pn_messenger_stop(cli);
  printf("blocking: stop=%d stopped=%d\n", rc, pn_messenger_stopped(cli));
  pn_messenger_interrupt(srv);
  void *got;
  pthread_join(th, &got);
  printf("blocking: server got %d\n", (int)(intptr_t)got);
  pn_messenger_set_blocking(srv, false);
  pn_messenger_stop(srv);
  PUMP_UNTIL(srv, NULL, pn_messenger_stopped(srv));
  pn_message_free(msg);
  pn_messenger_free(cli);
  pn_messenger_free(srv);
}

/* ---- subscription address ----------------------------------------------------------- */

static void subscription_address(void)
{
  port = free_port();
  pn_messenger_t *m = pn_messenger("subs");
  pn_subscription_t *sub = pn_messenger_subscribe(m, url("amqp://~127.0.0.1:%d"));
  pn_messenger_set_timeout(m, 100);
  double t0 = now_ms();
  const char *a = pn_subscription_address(sub);
  double took = now_ms() - t0;
  printf("subscription address with no link, timeout 100=%s waited=%d ", a ? "non-NULL" : "NULL",
         took >= 90 && took < 3000);
  print_merr(m, port);
  printf("\n");
  pn_messenger_set_blocking(m, false);
  a = pn_subscription_address(sub);
  printf("subscription address nonblocking=%s\n", a ? "non-NULL" : "NULL");
  pn_messenger_stop(m);
  pn_messenger_free(m);
}

int main(int argc, char **argv)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc > 1 && strcmp(argv[1], "tracers") == 0) {
    tracers();
    return 0;
  }
  /* Tracers only get lines with PN_TRACE_FRM=1 in the environment (read when the library
   * starts up): run that part in a child process. */
  pid_t child = fork();
  if (child == 0) {
    setenv("PN_TRACE_FRM", "1", 1);
    execl("/proc/self/exe", argv[0], "tracers", (char *)NULL);
    _exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("tracers: child exit=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  passive();
  interrupt_from_thread();
  blocking_pair();
  subscription_address();
  printf("done\n");
  return 0;
}
