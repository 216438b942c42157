/* Messenger without a peer: NULL handles, defaults of a fresh messenger, setter/getter
 * round trips, flags, return codes and error texts (sticky errors, statuses that are only
 * returned), subscriptions and listeners, put to an unresolvable host, interrupt, stop. */
#include "messenger_common.h"

#include <ctype.h>

static int passed_uuid(const char *s)
{
  if (!s || strlen(s) != 36) return 0;
  for (int i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return 0;
    } else if (!isxdigit((unsigned char)s[i]) || islower((unsigned char)s[i])) {
      return 0;
    }
  }
  return s[14] == '4';
}

static void show_defaults(const char *label, pn_messenger_t *m)
{
  printf("%s: timeout=%d blocking=%d passive=%d flags=%d incoming_window=%d outgoing_window=%d\n",
         label, pn_messenger_get_timeout(m), pn_messenger_is_blocking(m), pn_messenger_is_passive(m),
         pn_messenger_get_flags(m), pn_messenger_get_incoming_window(m),
         pn_messenger_get_outgoing_window(m));
  printf("%s: stopped=%d receiving=%d deadline=%" PRId64 " outgoing=%d incoming=%d\n", label,
         pn_messenger_stopped(m), pn_messenger_receiving(m), (int64_t)pn_messenger_deadline(m),
         pn_messenger_outgoing(m), pn_messenger_incoming(m));
  printf("%s: outgoing_tracker=%" PRId64 " incoming_tracker=%" PRId64 " incoming_subscription=%s\n",
         label, (int64_t)pn_messenger_outgoing_tracker(m), (int64_t)pn_messenger_incoming_tracker(m),
         pn_messenger_incoming_subscription(m) ? "non-NULL" : "NULL");
  printf("%s: certificate=", label);
  print_cstr(pn_messenger_get_certificate(m));
  printf(" private_key=");
  print_cstr(pn_messenger_get_private_key(m));
  printf(" password=");
  print_cstr(pn_messenger_get_password(m));
  printf(" trusted_certificates=");
  print_cstr(pn_messenger_get_trusted_certificates(m));
  printf("\n%s: ", label);
  print_merr(m, 0);
  printf(" error=%s\n", pn_messenger_error(m) ? "non-NULL" : "NULL");
  printf("%s: status(0)=%s status(incoming 0)=%s buffered(0)=%d delivery(0)=%s tracker_link(0)=%s\n",
         label, status_name(pn_messenger_status(m, 0)),
         status_name(pn_messenger_status(m, (pn_tracker_t)1 << 60)), pn_messenger_buffered(m, 0),
         pn_messenger_delivery(m, 0) ? "non-NULL" : "NULL",
         pn_messenger_tracker_link(m, 0) ? "non-NULL" : "NULL");
  printf("%s: remote_idle_timeout(amqp://127.0.0.1:1)=%u\n", label,
         pn_messenger_get_remote_idle_timeout(m, "amqp://127.0.0.1:1"));
}

static void null_handles(void)
{
  /* Only the calls proton 0.37 itself survives with a NULL messenger. */
  pn_messenger_free(NULL);
  printf("null: set_timeout=%d get_timeout=%d errno=%d start=%d stop=%d\n",
         pn_messenger_set_timeout(NULL, 5), pn_messenger_get_timeout(NULL), pn_messenger_errno(NULL),
         pn_messenger_start(NULL), pn_messenger_stop(NULL));
  printf("null: put=%d recv=%d get=%d set_flags=%d get_flags=%d\n", pn_messenger_put(NULL, NULL),
         pn_messenger_recv(NULL, 1), pn_messenger_get(NULL, NULL), pn_messenger_set_flags(NULL, 0),
         pn_messenger_get_flags(NULL));
  printf("null: set_snd_settle_mode=%d set_rcv_settle_mode=%d ssl_mode=%d remote_idle_timeout=%u\n",
         pn_messenger_set_snd_settle_mode(NULL, PN_SND_MIXED),
         pn_messenger_set_rcv_settle_mode(NULL, PN_RCV_FIRST),
         pn_messenger_set_ssl_peer_authentication_mode(NULL, PN_SSL_VERIFY_PEER),
         pn_messenger_get_remote_idle_timeout(NULL, "amqp://x"));
}

static void names(void)
{
  pn_messenger_t *m = pn_messenger(NULL);
  const char *n = pn_messenger_name(m);
  printf("name(NULL): uuid_v4_upper=%d same_pointer=%d\n", passed_uuid(n), n == pn_messenger_name(m));
  pn_messenger_t *m2 = pn_messenger(NULL);
  printf("name(NULL) twice: different=%d\n", strcmp(n, pn_messenger_name(m2)) != 0);
  pn_messenger_free(m2);
  pn_messenger_free(m);
  m = pn_messenger("");
  printf("name(\"\"): ");
  print_cstr(pn_messenger_name(m));
  printf("\n");
  pn_messenger_free(m);
  char buf[] = "changing";
  m = pn_messenger(buf);
  buf[0] = 'X';
  printf("name copied: ");
  print_cstr(pn_messenger_name(m));
  printf("\n");
  pn_messenger_free(m);
}

static void setters(pn_messenger_t *m)
{
  int rc;
  const char *values[] = {"/path/cert.pem", "", NULL, "again"};
  for (int i = 0; i < 4; i++) {
    rc = pn_messenger_set_certificate(m, values[i]);
    printf("set_certificate(");
    print_cstr(values[i]);
    printf(")=%d get=", rc);
    print_cstr(pn_messenger_get_certificate(m));
    rc = pn_messenger_set_private_key(m, values[i]);
    printf(" set_private_key=%d get=", rc);
    print_cstr(pn_messenger_get_private_key(m));
    rc = pn_messenger_set_password(m, values[i]);
    printf(" set_password=%d get=", rc);
    print_cstr(pn_messenger_get_password(m));
    rc = pn_messenger_set_trusted_certificates(m, values[i]);
    printf(" set_trusted_certificates=%d get=", rc);
    print_cstr(pn_messenger_get_trusted_certificates(m));
    printf("\n");
  }
  char buf[] = "copied";
  pn_messenger_set_certificate(m, buf);
  buf[0] = 'X';
  printf("certificate is a copy: ");
  print_cstr(pn_messenger_get_certificate(m));
  printf("\n");

  int timeouts[] = {0, 1, 250, -1, -5, 2147483647};
  for (int i = 0; i < 6; i++) {
    rc = pn_messenger_set_timeout(m, timeouts[i]);
    printf("set_timeout(%d)=%d get=%d\n", timeouts[i], rc, pn_messenger_get_timeout(m));
  }
  rc = pn_messenger_set_blocking(m, false);
  printf("set_blocking(false)=%d is=%d", rc, pn_messenger_is_blocking(m));
  rc = pn_messenger_set_blocking(m, true);
  printf(" set_blocking(true)=%d is=%d\n", rc, pn_messenger_is_blocking(m));
  rc = pn_messenger_set_passive(m, true);
  printf("set_passive(true)=%d is=%d", rc, pn_messenger_is_passive(m));
  rc = pn_messenger_set_passive(m, false);
  printf(" set_passive(false)=%d is=%d\n", rc, pn_messenger_is_passive(m));
  int windows[] = {0, 1, 10, -1, -5, 1024};
  for (int i = 0; i < 6; i++) {
    rc = pn_messenger_set_outgoing_window(m, windows[i]);
    printf("set_outgoing_window(%d)=%d get=%d", windows[i], rc, pn_messenger_get_outgoing_window(m));
    rc = pn_messenger_set_incoming_window(m, windows[i]);
    printf(" set_incoming_window(%d)=%d get=%d\n", windows[i], rc, pn_messenger_get_incoming_window(m));
  }
  pn_messenger_set_outgoing_window(m, 0);
  pn_messenger_set_incoming_window(m, 0);
  for (int mode = 0; mode <= 2; mode++)
    printf("set_snd_settle_mode(%d)=%d\n", mode, pn_messenger_set_snd_settle_mode(m, (pn_snd_settle_mode_t)mode));
  for (int mode = 0; mode <= 1; mode++)
    printf("set_rcv_settle_mode(%d)=%d\n", mode, pn_messenger_set_rcv_settle_mode(m, (pn_rcv_settle_mode_t)mode));
  for (int mode = 0; mode <= 3; mode++)
    printf("set_ssl_peer_authentication_mode(%d)=%d\n", mode,
           pn_messenger_set_ssl_peer_authentication_mode(m, (pn_ssl_verify_mode_t)mode));
  /* 0.37 takes any value; we refuse what is not a mode (PN_ARG_ERR). */
  printf(INFO "set_snd_settle_mode(7)=%d set_rcv_settle_mode(-1)=%d set_ssl_peer_authentication_mode(9)=%d\n",
         pn_messenger_set_snd_settle_mode(m, (pn_snd_settle_mode_t)7),
         pn_messenger_set_rcv_settle_mode(m, (pn_rcv_settle_mode_t)-1),
         pn_messenger_set_ssl_peer_authentication_mode(m, (pn_ssl_verify_mode_t)9));
  printf("route=%d route(NULL address)=%d rewrite=%d rewrite(NULL address)=%d\n",
         pn_messenger_route(m, "amqp://a/*", "amqp://b/$1"), pn_messenger_route(m, "x", NULL),
         pn_messenger_rewrite(m, "amqp://a/*", "amqp://c/$1"), pn_messenger_rewrite(m, "y", NULL));
  printf("after setters: ");
  print_merr(m, 0);
  printf("\n");
}

static void flags(void)
{
  pn_messenger_t *m = pn_messenger("flags");
  printf("flags default=%d\n", pn_messenger_get_flags(m));
  int values[] = {0, 1, 2, 4, 5, 8, 0, 2, 1, 3, 0, 6, 16, 0, -1};
  for (int i = 0; i < 15; i++) {
    int rc = pn_messenger_set_flags(m, values[i]);
    printf("set_flags(%d)=%d -> %d\n", values[i], rc, pn_messenger_get_flags(m));
  }
  printf("flags: ");
  print_merr(m, 0);
  printf("\n");
  pn_messenger_free(m);
}

static void errors(void)
{
  pn_messenger_t *m = pn_messenger("errors");
  int rc;

  rc = pn_messenger_put(m, NULL);
  printf("put(NULL message)=%d ", rc);
  print_merr(m, 0);
  printf("\n");

  rc = pn_messenger_get(m, NULL);
  printf("get(empty)=%d ", rc);
  print_merr(m, 0);
  printf("\n");

  pn_message_t *msg = pn_message();
  rc = pn_messenger_get(m, msg);
  printf("get(empty, msg)=%d ", rc);
  print_merr(m, 0);
  printf("\n");

  rc = pn_messenger_work(m, 0);
  printf("work(0) idle=%d(%s) ", rc, pn_code(rc));
  print_merr(m, 0);
  printf("\n");
  rc = pn_messenger_work(m, 20);
  printf("work(20) idle=%d(%s)\n", rc, pn_code(rc));

  rc = pn_messenger_send(m, -1);
  printf("send(-1) nothing=%d ", rc);
  print_merr(m, 0);
  printf("\n");
  rc = pn_messenger_send(m, 0);
  printf("send(0) nothing=%d\n", rc);

  pn_messenger_set_blocking(m, false);
  rc = pn_messenger_recv(m, 3);
  printf("nonblocking recv(3) no sources=%d(%s) receiving=%d ", rc, pn_code(rc), pn_messenger_receiving(m));
  print_merr(m, 0);
  printf("\n");
  pn_messenger_set_blocking(m, true);

  rc = pn_messenger_accept(m, 0, 0);
  printf("accept(outgoing 0)=%d ", rc);
  print_merr(m, 0);
  printf("\n");
  pn_error_clear(pn_messenger_error(m));
  rc = pn_messenger_reject(m, 5, PN_CUMULATIVE);
  printf("reject(outgoing 5, CUMULATIVE)=%d ", rc);
  print_merr(m, 0);
  printf("\n");
  rc = pn_messenger_accept(m, ((pn_tracker_t)1 << 60) | 3, PN_CUMULATIVE);
  printf("accept(untracked incoming)=%d (error stays) ", rc);
  print_merr(m, 0);
  printf("\n");
  pn_error_clear(pn_messenger_error(m));
  printf("settle(untracked)=%d settle(untracked incoming, CUMULATIVE)=%d ", pn_messenger_settle(m, 77, 0),
         pn_messenger_settle(m, ((pn_tracker_t)1 << 60) | 9, PN_CUMULATIVE));
  print_merr(m, 0);
  printf("\n");

  rc = pn_messenger_recv(m, 3);
  printf("blocking recv(3) no sources=%d(%s) receiving=%d ", rc, pn_code(rc), pn_messenger_receiving(m));
  print_merr(m, 0);
  printf("\n");
  rc = pn_messenger_get(m, msg);
  printf("get after a stored error=%d (the error is sticky) ", rc);
  print_merr(m, 0);
  printf("\n");
  rc = pn_messenger_work(m, 0);
  printf("work(0)=%d(%s) ", rc, pn_code(rc));
  print_merr(m, 0);
  printf("\n");
  pn_error_clear(pn_messenger_error(m));
  printf("after pn_error_clear: ");
  print_merr(m, 0);
  printf("\n");

  pn_messenger_set_timeout(m, 50);
  rc = pn_messenger_stop(m);
  printf("stop fresh=%d stopped=%d\n", rc, pn_messenger_stopped(m));
  rc = pn_messenger_start(m);
  printf("start=%d\n", rc);
  pn_message_free(msg);
  pn_messenger_free(m);
}

static void unresolvable(void)
{
  pn_messenger_t *m = pn_messenger("tester");
  pn_message_t *msg = make_message("amqp://no-such-host.invalid/queue", "~/replies", "hello");
  int rc = pn_messenger_put(m, msg);
  printf("put unresolvable=%d errno=%d(%s)\n", rc, pn_messenger_errno(m), pn_code(pn_messenger_errno(m)));
  print_resolver_text("put unresolvable", pn_error_text(pn_messenger_error(m)),
                      "getaddrinfo(no-such-host.invalid, 5672): ");
  printf("put unresolvable: outgoing=%d outgoing_tracker=%" PRId64 " status=%s buffered=%d stopped=%d\n",
         pn_messenger_outgoing(m), (int64_t)pn_messenger_outgoing_tracker(m),
         status_name(pn_messenger_status(m, pn_messenger_outgoing_tracker(m))),
         pn_messenger_buffered(m, pn_messenger_outgoing_tracker(m)), pn_messenger_stopped(m));
  printf("put unresolvable: address=");
  print_cstr(pn_message_get_address(msg));
  printf(" reply_to=");
  print_cstr(pn_message_get_reply_to(msg));
  printf("\n");
  pn_messenger_set_outgoing_window(m, 5);
  pn_error_clear(pn_messenger_error(m));
  rc = pn_messenger_put(m, msg);
  printf("second put unresolvable (window 5)=%d outgoing=%d tracker=%" PRId64 " status=%s buffered=%d\n", rc,
         pn_messenger_outgoing(m), (int64_t)pn_messenger_outgoing_tracker(m),
         status_name(pn_messenger_status(m, 1)), pn_messenger_buffered(m, 1));
  pn_messenger_set_timeout(m, 100);
  rc = pn_messenger_send(m, -1);
  printf("send(-1) with timeout 100=%d(%s) outgoing=%d ", rc, pn_code(rc), pn_messenger_outgoing(m));
  print_merr(m, 0);
  printf("\n");
  pn_messenger_set_blocking(m, false);
  rc = pn_messenger_send(m, -1);
  printf("nonblocking send(-1)=%d(%s)\n", rc, pn_code(rc));
  pn_error_clear(pn_messenger_error(m));

  pn_subscription_t *sub = pn_messenger_subscribe(m, "amqp://no-such-host.invalid/queue");
  printf("subscribe unresolvable=%s errno=%d\n", sub ? "non-NULL" : "NULL", pn_messenger_errno(m));
  print_resolver_text("subscribe unresolvable", pn_error_text(pn_messenger_error(m)),
                      "getaddrinfo(no-such-host.invalid, 5672): ");
  pn_error_clear(pn_messenger_error(m));
  sub = pn_messenger_subscribe(m, "amqp://~no-such-host.invalid");
  printf("listen unresolvable=%s errno=%d\n", sub ? "non-NULL" : "NULL", pn_messenger_errno(m));
  print_resolver_text("listen unresolvable", pn_error_text(pn_messenger_error(m)),
                      "getaddrinfo(no-such-host.invalid, 5672): ");
  pn_error_clear(pn_messenger_error(m));
  pn_link_t *link = pn_messenger_get_link(m, "amqp://no-such-host.invalid:5673/x", true);
  printf("get_link unresolvable=%s errno=%d\n", link ? "non-NULL" : "NULL", pn_messenger_errno(m));
  print_resolver_text("get_link unresolvable", pn_error_text(pn_messenger_error(m)),
                      "getaddrinfo(no-such-host.invalid, 5673): ");
  pn_error_clear(pn_messenger_error(m));

  pn_messenger_t *r = pn_messenger("routes");
  pn_messenger_route(r, "*", "amqp://no-such-host.invalid:5672/$1");
  pn_messenger_route(r, "nohost/*", "amqp://no-such-host.invalid/$1");
  rc = pn_messenger_start(r);
  printf("start without CHECK_ROUTES=%d\n", rc);
  pn_messenger_set_flags(r, PN_FLAGS_CHECK_ROUTES);
  rc = pn_messenger_start(r);
  printf("start with CHECK_ROUTES unresolvable=%d errno=%d\n", rc, pn_messenger_errno(r));
  print_resolver_text("start with CHECK_ROUTES", pn_error_text(pn_messenger_error(r)),
                      "CONNECTION ERROR (no-such-host.invalid:5672): ");
  pn_messenger_free(r);
  pn_message_free(msg);
  pn_messenger_free(m);
}

static void listeners(void)
{
  int port = free_port();
  char addr[64];
  pn_messenger_t *m = pn_messenger("listener");
  pn_messenger_set_timeout(m, 0);
  snprintf(addr, sizeof(addr), "amqp://~127.0.0.1:%d", port);
  pn_subscription_t *s1 = pn_messenger_subscribe(m, addr);
  printf("listen=%s ", s1 ? "non-NULL" : "NULL");
  print_merr(m, port);
  printf(" stopped=%d\n", pn_messenger_stopped(m));
  printf("subscription context default=%s", pn_subscription_get_context(s1) ? "non-NULL" : "NULL");
  int cookie = 42;
  pn_subscription_set_context(s1, &cookie);
  printf(" after set=%s\n", pn_subscription_get_context(s1) == &cookie ? "same" : "different");
  pn_subscription_set_context(s1, NULL);

  pn_subscription_t *s2 = pn_messenger_subscribe_ttl(m, addr, 10);
  printf("listen again on the same port=%s ", s2 ? "non-NULL" : "NULL");
  print_merr(m, port);
  printf("\n");
  pn_error_clear(pn_messenger_error(m));

  printf("incoming_subscription before any get=%s\n", pn_messenger_incoming_subscription(m) ? "non-NULL" : "NULL");
  pn_messenger_set_blocking(m, false);
  int rc = pn_messenger_recv(m, 10);
  printf("nonblocking recv(10) on a listener=%d(%s) receiving=%d\n", rc, pn_code(rc), pn_messenger_receiving(m));
  rc = pn_messenger_recv(m, -1);
  printf("nonblocking recv(-1)=%d(%s) receiving=%d\n", rc, pn_code(rc), pn_messenger_receiving(m));
  rc = pn_messenger_recv(m, 7);
  printf("nonblocking recv(7)=%d(%s) receiving=%d\n", rc, pn_code(rc), pn_messenger_receiving(m));
  rc = pn_messenger_recv(m, 0);
  printf("nonblocking recv(0)=%d(%s) receiving=%d deadline=%" PRId64 "\n", rc, pn_code(rc),
         pn_messenger_receiving(m), (int64_t)pn_messenger_deadline(m));
  pn_messenger_set_blocking(m, true);
  rc = pn_messenger_recv(m, 2);
  printf("blocking recv(2) timeout 0 on a listener=%d(%s) ", rc, pn_code(rc));
  print_merr(m, port);
  printf("\n");

  /* get_link with a ~ address listens there (when not yet listening) and finds nothing. */
  int port2 = free_port();
  snprintf(addr, sizeof(addr), "amqp://~127.0.0.1:%d/x", port2);
  pn_link_t *l = pn_messenger_get_link(m, addr, true);
  printf("get_link(~ address)=%s ", l ? "non-NULL" : "NULL");
  print_merr(m, port2);
  printf("\n");
  s2 = pn_messenger_subscribe(m, addr);
  printf("listen where get_link listens=%s ", s2 ? "non-NULL" : "NULL");
  print_merr(m, port2);
  printf("\n");
  pn_error_clear(pn_messenger_error(m));

  /* put to a ~ address listens there too; the message stays queued. */
  int port3 = free_port();
  snprintf(addr, sizeof(addr), "amqp://~127.0.0.1:%d/y", port3);
  pn_message_t *msg = make_message(addr, NULL, "to myself");
  pn_messenger_set_outgoing_window(m, 1);
  rc = pn_messenger_put(m, msg);
  pn_tracker_t t = pn_messenger_outgoing_tracker(m);
  printf("put(~ address)=%d outgoing=%d status=%s buffered=%d ", rc, pn_messenger_outgoing(m),
         status_name(pn_messenger_status(m, t)), pn_messenger_buffered(m, t));
  print_merr(m, port3);
  printf("\n");
  rc = pn_messenger_put(m, msg);
  printf("put(~ address) again=%d outgoing=%d ", rc, pn_messenger_outgoing(m));
  print_merr(m, port3);
  printf("\n");
  s2 = pn_messenger_subscribe(m, addr);
  printf("listen where put listens=%s ", s2 ? "non-NULL" : "NULL");
  print_merr(m, port3);
  printf("\n");
  pn_error_clear(pn_messenger_error(m));
  pn_message_free(msg);

  rc = pn_messenger_stop(m);
  printf("stop=%d stopped=%d outgoing=%d status=%s ", rc, pn_messenger_stopped(m), pn_messenger_outgoing(m),
         status_name(pn_messenger_status(m, t)));
  print_merr(m, port);
  printf("\n");
  /* The messenger is usable after stop: listen again on the same port. */
  snprintf(addr, sizeof(addr), "amqp://~127.0.0.1:%d", port);
  s2 = pn_messenger_subscribe(m, addr);
  printf("listen again after stop=%s stopped=%d ", s2 ? "non-NULL" : "NULL", pn_messenger_stopped(m));
  print_merr(m, port);
  printf("\n");
  rc = pn_messenger_stop(m);
  printf("stop=%d stopped=%d\n", rc, pn_messenger_stopped(m));
  pn_messenger_free(m);
}

static void interrupts(void)
{
  pn_messenger_t *m = pn_messenger("interrupts");
  int rc = pn_messenger_interrupt(m);
  printf("interrupt=%d\n", rc);
  double t0 = now_ms();
  rc = pn_messenger_work(m, 2000);
  printf("work(2000) after an interrupt=%d(%s) quick=%d ", rc, pn_code(rc), now_ms() - t0 < 1000);
  print_merr(m, 0);
  printf("\n");
  rc = pn_messenger_work(m, 0);
  printf("work(0) next=%d(%s)\n", rc, pn_code(rc));

  int port = free_port();
  char addr[64];
  snprintf(addr, sizeof(addr), "amqp://~127.0.0.1:%d", port);
  pn_messenger_subscribe(m, addr);
  pn_messenger_interrupt(m);
  t0 = now_ms();
  rc = pn_messenger_recv(m, 1);
  printf("blocking recv(1) after an interrupt=%d(%s) quick=%d ", rc, pn_code(rc), now_ms() - t0 < 1000);
  print_merr(m, 0);
  printf("\n");
  pn_messenger_set_timeout(m, 100);
  t0 = now_ms();
  rc = pn_messenger_recv(m, 1);
  double took = now_ms() - t0;
  printf("blocking recv(1) timeout 100=%d(%s) waited=%d ", rc, pn_code(rc), took >= 90 && took < 2000);
  print_merr(m, 0);
  printf("\n");
  pn_messenger_stop(m);
  pn_messenger_free(m);
}

int main(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  null_handles();
  names();
  pn_messenger_t *m = pn_messenger("tester");
  printf("name: ");
  print_cstr(pn_messenger_name(m));
  printf("\n");
  show_defaults("fresh", m);
  setters(m);
  pn_messenger_free(m);
  flags();
  errors();
  unresolvable();
  listeners();
  interrupts();
  printf("done\n");
  return 0;
}
