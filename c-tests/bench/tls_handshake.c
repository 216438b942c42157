/* tls_handshake: connection set-up time of a messenger, one connection after another.
 *
 *   tls_handshake ADDRESS COUNT [TRUSTED]
 *
 * COUNT times: a new messenger (trusting TRUSTED if given, so the server is verified) puts one
 * tracked message to ADDRESS, sends it and waits for its outcome, then stops and is freed. The
 * time of each iteration covers TCP connect, the TLS handshake (amqps), the AMQP open and
 * attach, the message and its disposition, and the close. Prints
 *   connections=N ok=N avg_ms=.. p50_ms=.. min_ms=.. lib=/path
 * Exit 1 unless every message was ACCEPTED. Built against Debian's headers (c-tests/bench/tls.sh)
 * and run on either library. */
#define PN_USE_DEPRECATED_API 1
#include "../tools/msgr-common.h"

int main(int argc, char **argv)
{
  msgr_prog = "tls_handshake";
  if (argc < 3) msgr_die("usage: tls_handshake ADDRESS COUNT [TRUSTED]");
  const char *address = argv[1];
  long count = msgr_parse_long("COUNT", argv[2]);
  const char *trusted = argc > 3 ? argv[3] : NULL;
  if (count < 1) msgr_die("COUNT must be >= 1");
  double *ms = calloc((size_t)count, sizeof(double));
  if (!ms) msgr_die("out of memory");
  pn_message_t *msg = pn_message();
  pn_message_set_address(msg, address);
  pn_data_put_string(pn_message_body(msg), pn_bytes(5, "hello"));
  long ok = 0;
  for (long i = 0; i < count; i++) {
    double t0 = msgr_now();
    pn_messenger_t *m = pn_messenger(NULL);
    if (trusted) pn_messenger_set_trusted_certificates(m, trusted);
    pn_messenger_set_outgoing_window(m, 1);
    pn_messenger_set_timeout(m, 10000);
    msgr_set_identity(msg, "handshake", (uint64_t)i);
    pn_messenger_put(m, msg);
    pn_tracker_t t = pn_messenger_outgoing_tracker(m);
    pn_messenger_send(m, -1);
    if (pn_messenger_status(m, t) == PN_STATUS_ACCEPTED) ok++;
    pn_messenger_stop(m);
    pn_messenger_free(m);
    ms[i] = (msgr_now() - t0) * 1000.0;
  }
  double sum = 0;
  for (long i = 0; i < count; i++) sum += ms[i];
  qsort(ms, (size_t)count, sizeof(double), msgr_cmp_double);
  printf("connections=%ld ok=%ld avg_ms=%.3f p50_ms=%.3f min_ms=%.3f lib=%s\n", count, ok,
         sum / count, ms[count / 2], ms[0], msgr_loaded_lib());
  pn_message_free(msg);
  free(ms);
  return ok == count ? 0 : 1;
}
