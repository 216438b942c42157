/* send: the demo's sender, a legacy Messenger program.
 *
 *   send [-a ADDRESS] [-s SUBJECT] [MESSAGE ...]   (default amqp://0.0.0.0, "Hello World!")
 *
 * Puts one message per MESSAGE with a string body, sends them all, and prints each tracker's
 * final status (the receiver's accept comes back because the outgoing window tracks them).
 * Uses only the public API, so the same source builds against Debian's proton-c and ours.
 */
#define PN_USE_DEPRECATED_API 1
#include <proton/message.h>
#include <proton/messenger.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void die_on_error(pn_messenger_t *m, int rc, const char *what)
{
  if (rc < 0) {
    fprintf(stderr, "send: %s: %s\n", what, pn_error_text(pn_messenger_error(m)));
    exit(1);
  }
}

static const char *status_name(pn_status_t status)
{
  switch (status) {
  case PN_STATUS_PENDING: return "PENDING";
  case PN_STATUS_ACCEPTED: return "ACCEPTED";
  case PN_STATUS_REJECTED: return "REJECTED";
  case PN_STATUS_RELEASED: return "RELEASED";
  case PN_STATUS_MODIFIED: return "MODIFIED";
  case PN_STATUS_ABORTED: return "ABORTED";
  case PN_STATUS_SETTLED: return "SETTLED";
  default: return "UNKNOWN";
  }
}

int main(int argc, char **argv)
{
  const char *address = "amqp://0.0.0.0";
  const char *subject = NULL;
  static const char *default_body[] = {"Hello World!"};
  const char **bodies = default_body;
  int n = 1, opt, i;
  while ((opt = getopt(argc, argv, "a:s:h")) != -1) {
    if (opt == 'a') {
      address = optarg;
    } else if (opt == 's') {
      subject = optarg;
    } else {
      fprintf(stderr, "usage: send [-a ADDRESS] [-s SUBJECT] [MESSAGE ...]\n");
      return opt == 'h' ? 0 : 2;
    }
  }
  if (optind < argc) {
    bodies = (const char **)argv + optind;
    n = argc - optind;
  }

  pn_messenger_t *m = pn_messenger(NULL);
  pn_message_t *msg = pn_message();
  pn_tracker_t *trackers = calloc((size_t)n, sizeof(*trackers));
  pn_messenger_set_outgoing_window(m, n);
  die_on_error(m, pn_messenger_start(m), "start");

  for (i = 0; i < n; i++) {
    pn_message_clear(msg);
    pn_message_set_address(msg, address);
    if (subject) pn_message_set_subject(msg, subject);
    pn_data_put_string(pn_message_body(msg), pn_bytes(strlen(bodies[i]), bodies[i]));
    die_on_error(m, pn_messenger_put(m, msg), "put");
    trackers[i] = pn_messenger_outgoing_tracker(m);
  }
  die_on_error(m, pn_messenger_send(m, -1), "send");
  for (i = 0; i < n; i++) {
    printf("sent \"%s\": %s\n", bodies[i], status_name(pn_messenger_status(m, trackers[i])));
  }

  pn_messenger_stop(m);
  pn_messenger_free(m);
  pn_message_free(msg);
  free(trackers);
  return 0;
}
