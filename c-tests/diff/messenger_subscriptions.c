/* Subscriptions: a messenger subscribing to queues on a listening messenger (receiver links
 * it opens itself, subscribe_ttl), the listener sending back over those links by the
 * subscriber's container-id, credit split over the subscriptions, incoming_subscription
 * after each get, subscription addresses and contexts, a subscription made through a route
 * (get_link applies routes, get_remote_idle_timeout does not), the same source subscribed
 * twice, two listeners telling their messages apart, and the attach frames of
 * subscribe_ttl seen through a tracer (child process with PN_TRACE_FRM=1). */
#include "messenger_common.h"

#include <proton/link.h>
#include <proton/terminus.h>

#include <sys/wait.h>

static int port;
static char addr[160];

static const char *url(const char *fmt, const char *path)
{
  snprintf(addr, sizeof(addr), fmt, port, path);
  return addr;
}

static void show_link(const char *label, pn_link_t *l)
{
  printf("%s:", label);
  if (!l) {
    printf(" NULL\n");
    return;
  }
  printf(" sender=%d credit=%d source=", pn_link_is_sender(l), pn_link_credit(l));
  print_cstr(pn_terminus_get_address(pn_link_source(l)));
  printf(" target=");
  print_cstr(pn_terminus_get_address(pn_link_target(l)));
  printf(" remote source=");
  print_cstr(pn_terminus_get_address(pn_link_remote_source(l)));
  printf(" snd_settle_mode=%d rcv_settle_mode=%d\n", (int)pn_link_snd_settle_mode(l), (int)pn_link_rcv_settle_mode(l));
}

static const char *which(pn_subscription_t *s, pn_subscription_t **subs, const char **names, int n)
{
  if (!s) return "NULL";
  for (int i = 0; i < n; i++)
    if (s == subs[i]) return names[i];
  return "another";
}

static void subscriber(void)
{
  port = free_port();
  pn_messenger_t *lis = pn_messenger("lis");
  pn_messenger_t *sub = pn_messenger("subscriber");
  pn_messenger_set_incoming_window(sub, 10);
  pn_messenger_set_outgoing_window(lis, 10);
  pn_subscription_t *listener = pn_messenger_subscribe(lis, url("amqp://~127.0.0.1:%d%s", ""));
  pn_messenger_set_blocking(lis, false);
  pn_messenger_set_blocking(sub, false);

  pn_subscription_t *subs[4];
  const char *names[4] = {"s1", "s2", "s1 again", "routed"};
  subs[0] = pn_messenger_subscribe(sub, url("amqp://127.0.0.1:%d/%s", "s1"));
  subs[1] = pn_messenger_subscribe_ttl(sub, url("amqp://127.0.0.1:%d/%s", "s2"), 30);
  subs[2] = pn_messenger_subscribe(sub, url("amqp://127.0.0.1:%d/%s", "s1"));
  pn_messenger_route(sub, "routed/*", url("amqp://127.0.0.1:%d/$1", ""));
  subs[3] = pn_messenger_subscribe(sub, "routed/s3");
  printf("subscribe: s1=%s s2(ttl 30)=%s s1 again=%s routed=%s distinct=%d ", subs[0] ? "non-NULL" : "NULL",
         subs[1] ? "non-NULL" : "NULL", subs[2] ? "non-NULL" : "NULL", subs[3] ? "non-NULL" : "NULL",
         subs[0] != subs[2]);
  print_merr(sub, port);
  printf(" stopped=%d\n", pn_messenger_stopped(sub));
  pn_link_t *l1 = pn_messenger_get_link(sub, url("amqp://127.0.0.1:%d/%s", "s1"), false);
  pn_link_t *l3 = pn_messenger_get_link(sub, "routed/s3", false);
  show_link("subscriber link s1", l1);
  show_link("subscriber link s2", pn_messenger_get_link(sub, url("amqp://127.0.0.1:%d/%s", "s2"), false));
  show_link("subscriber link routed/s3 (get_link applies routes)", l3);
  printf("subscriber get_link(s1, sender)=%s get_link(amqp://127.0.0.1:PORT/s3)=%s\n",
         pn_messenger_get_link(sub, url("amqp://127.0.0.1:%d/%s", "s1"), true) ? "non-NULL" : "NULL",
         pn_messenger_get_link(sub, url("amqp://127.0.0.1:%d/%s", "s3"), false) == l3 ? "same" : "other");
  printf("subscriber context default=%s", pn_subscription_get_context(subs[1]) ? "non-NULL" : "NULL");
  pn_subscription_set_context(subs[1], subs);
  printf(" after set=%s\n", pn_subscription_get_context(subs[1]) == subs ? "same" : "different");

  int rc = pn_messenger_recv(sub, 12);
  printf("subscriber recv(12)=%d(%s) receiving=%d credit s1=%d s3=%d\n", rc, pn_code(rc), pn_messenger_receiving(sub),
         pn_link_credit(l1), pn_link_credit(l3));

  /* The listener answers the three receiver links (s1 once) and sends on them by the
   * subscriber's container-id. */
  pn_link_t *l2 = pn_messenger_get_link(sub, url("amqp://127.0.0.1:%d/%s", "s2"), false);
  PUMP_UNTIL(lis, sub, remote_active(l1) && remote_active(l2) && remote_active(l3));
  pump_rounds(lis, sub, 5);
  show_link("listener link s1", pn_messenger_get_link(lis, "amqp://subscriber/s1", true));
  show_link("listener link s2", pn_messenger_get_link(lis, "amqp://subscriber/s2", true));
  printf("listener get_link(s1, receiver)=%s stopped=%d\n",
         pn_messenger_get_link(lis, "amqp://subscriber/s1", false) ? "non-NULL" : "NULL", pn_messenger_stopped(lis));
  const char *targets[] = {"amqp://subscriber/s1", "amqp://subscriber/s2", "amqp://subscriber/s3",
                           "amqp://subscriber/s1", "amqp://subscriber/s2"};
  pn_tracker_t out[5];
  for (int i = 0; i < 5; i++) {
    char body[16];
    snprintf(body, sizeof(body), "m%d", i);
    pn_message_t *msg = make_message(targets[i], NULL, body);
    rc = pn_messenger_put(lis, msg);
    out[i] = pn_messenger_outgoing_tracker(lis);
    if (rc) {
      printf("listener put %s=%d ", targets[i], rc);
      print_merr(lis, port);
      printf("\n");
    }
    pn_message_free(msg);
  }
  PUMP_UNTIL(lis, sub, pn_messenger_incoming(sub) == 5);
  pump_rounds(lis, sub, 5);
  printf("subscriber incoming=%d receiving=%d credit s1=%d s3=%d\n", pn_messenger_incoming(sub),
         pn_messenger_receiving(sub), pn_link_credit(l1), pn_link_credit(l3));
  pn_message_t *msg = pn_message();
  while (pn_messenger_get(sub, msg) == 0) {
    static char text[64];
    size_t n = sizeof(text);
    pn_data_format(pn_message_body(msg), text, &n);
    printf("subscriber get %.*s to=", (int)n, text);
    print_text_port(pn_message_get_address(msg), port);
    printf(" subscription=%s\n", which(pn_messenger_incoming_subscription(sub), subs, names, 4));
  }
  rc = pn_messenger_accept(sub, pn_messenger_incoming_tracker(sub), PN_CUMULATIVE);
  PUMP_UNTIL(lis, sub, pn_messenger_status(lis, out[0]) != PN_STATUS_PENDING &&
                           pn_messenger_status(lis, out[4]) != PN_STATUS_PENDING);
  printf("subscriber accept(all)=%d listener statuses:", rc);
  for (int i = 0; i < 5; i++) printf(" %s", status_name(pn_messenger_status(lis, out[i])));
  printf("\n");

  for (int i = 0; i < 4; i++) {
    const char *a = pn_subscription_address(subs[i]);
    printf("subscription address %s=", names[i]);
    print_text_port(a, port);
    printf("\n");
  }
  printf("listener subscription address=");
  print_text_port(pn_subscription_address(listener), port);
  printf(" ");
  print_merr(lis, port);
  printf("\n");
  printf("remote idle timeout: literal=%u routed=%u\n",
         pn_messenger_get_remote_idle_timeout(sub, url("amqp://127.0.0.1:%d%s", "")),
         pn_messenger_get_remote_idle_timeout(sub, "routed/s3"));

  pn_message_free(msg);
  stop_both(sub, lis);
  printf("stopped subscriber=%d listener=%d\n", pn_messenger_stopped(sub), pn_messenger_stopped(lis));
  pn_messenger_free(sub);
  pn_messenger_free(lis);
}

/* Two listeners in one messenger: incoming_subscription says which one a message came
 * through. */
static void two_listeners(void)
{
  int p1 = free_port(), p2 = free_port();
  char a1[64], a2[64];
  pn_messenger_t *srv = pn_messenger("two");
  pn_messenger_t *cli = pn_messenger("twocli");
  snprintf(a1, sizeof(a1), "amqp://~127.0.0.1:%d", p1);
  snprintf(a2, sizeof(a2), "amqp://~127.0.0.1:%d", p2);
  pn_subscription_t *subs[2] = {pn_messenger_subscribe(srv, a1), pn_messenger_subscribe(srv, a2)};
  const char *names[2] = {"first listener", "second listener"};
  pn_messenger_set_blocking(srv, false);
  pn_messenger_set_blocking(cli, false);
  pn_messenger_recv(srv, -1);
  snprintf(a1, sizeof(a1), "amqp://127.0.0.1:%d/x", p1);
  snprintf(a2, sizeof(a2), "amqp://127.0.0.1:%d/x", p2);
  pn_message_t *msg = make_message(a2, NULL, "via 2");
  pn_messenger_put(cli, msg);
  PUMP_UNTIL(cli, srv, pn_messenger_incoming(srv) == 1);
  pn_message_set_address(msg, a1);
  pn_messenger_put(cli, msg);
  PUMP_UNTIL(cli, srv, pn_messenger_incoming(srv) == 2);
  for (int i = 0; i < 2; i++) {
    int rc = pn_messenger_get(srv, msg);
    printf("two listeners: get=%d subscription=%s\n", rc, which(pn_messenger_incoming_subscription(srv), subs, names, 2));
  }
  printf("two listeners: get_link via the client's name=%s\n",
         pn_messenger_get_link(srv, "amqp://twocli/x", false) ? "non-NULL" : "NULL");
  pn_message_free(msg);
  stop_both(cli, srv);
  pn_messenger_free(cli);
  pn_messenger_free(srv);
}

/* ---- attach frames of subscribe / subscribe_ttl through a tracer -------------------- */

static char attach_lines[4][512];
static int nattach;

static void tracer(pn_transport_t *t, const char *msg)
{
  (void)t;
  if (strstr(msg, "-> @attach(18)") && nattach < 4) snprintf(attach_lines[nattach++], 512, "%s", msg);
}

/* The value of `field=` in a frame text, up to the next ", " or "]" at the same depth. */
static void show_field(const char *line, const char *terminus, const char *field)
{
  const char *t = strstr(line, terminus);
  printf(" %s.%s=", terminus, field);
  if (!t) {
    printf("(no %s)", terminus);
    return;
  }
  char key[64];
  snprintf(key, sizeof(key), "%s=", field);
  const char *end = strchr(t, ']');
  const char *f = strstr(t, key);
  if (!f || (end && f > end)) {
    printf("(absent)");
    return;
  }
  f += strlen(key);
  size_t n = strcspn(f, ",]");
  /* The value, not its spelling in the trace: numbers in decimal, symbols unquoted (the
   * raw lines are informational). */
  char v[128];
  snprintf(v, sizeof(v), "%.*s", (int)n, f);
  if (strncmp(v, "0x", 2) == 0) printf("%lu", strtoul(v, NULL, 16));
  else if (strncmp(v, ":\"", 2) == 0 && n > 3) printf(":%.*s", (int)(n - 3), v + 2);
  else printf("%s", v);
}

static void traced_ttl(void)
{
  port = free_port();
  pn_messenger_t *lis = pn_messenger("tlis");
  pn_messenger_t *sub = pn_messenger("tsub");
  pn_messenger_set_tracer(sub, tracer);
  pn_messenger_subscribe(lis, url("amqp://~127.0.0.1:%d%s", ""));
  pn_messenger_set_blocking(lis, false);
  pn_messenger_set_blocking(sub, false);
  pn_messenger_subscribe(sub, url("amqp://127.0.0.1:%d/%s", "plain"));
  pn_messenger_subscribe_ttl(sub, url("amqp://127.0.0.1:%d/%s", "ttl"), 30);
  PUMP_UNTIL(lis, sub, nattach == 2 && remote_active(pn_messenger_get_link(sub, url("amqp://127.0.0.1:%d/%s", "ttl"), false)));
  const char *labels[] = {"subscribe", "subscribe_ttl(30)"};
  for (int i = 0; i < nattach && i < 2; i++) {
    printf("attach of %s:", labels[i]);
    show_field(attach_lines[i], "@source(40)", "address");
    show_field(attach_lines[i], "@source(40)", "expiry-policy");
    show_field(attach_lines[i], "@source(40)", "timeout");
    show_field(attach_lines[i], "@target(41)", "address");
    show_field(attach_lines[i], "@target(41)", "expiry-policy");
    show_field(attach_lines[i], "@target(41)", "timeout");
    printf("\n");
    printf(INFO "attach of %s: %s\n", labels[i], attach_lines[i]);
  }
  stop_both(sub, lis);
  pn_messenger_free(sub);
  pn_messenger_free(lis);
}

int main(int argc, char **argv)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc > 1 && strcmp(argv[1], "traced") == 0) {
    traced_ttl();
    return 0;
  }
  subscriber();
  two_listeners();
  /* Tracers only get lines with PN_TRACE_FRM=1 in the environment, read at start-up. */
  pid_t child = fork();
  if (child == 0) {
    setenv("PN_TRACE_FRM", "1", 1);
    execl("/proc/self/exe", argv[0], "traced", (char *)NULL);
    _exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  printf("traced child exit=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  printf("done\n");
  return 0;
}
