/* recv: the demo's receiver, a legacy Messenger program.
 *
 *   recv [-c COUNT] [ADDRESS ...]      (default address amqp://~0.0.0.0)
 *
 * Subscribes to every ADDRESS (`~` listens), then receives and prints each message
 * (address, subject, body) and accepts it, until COUNT messages have arrived (forever when
 * COUNT is 0). It prints "listening" once its subscriptions are in place, so a script can
 * start the sender after that. Uses only the public API, so the same source builds against
 * Debian's proton-c and against ours.
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
    fprintf(stderr, "recv: %s: %s\n", what, pn_error_text(pn_messenger_error(m)));
    exit(1);
  }
}

static void print_message(pn_message_t *msg)
{
  char body[1024];
  size_t size = sizeof(body);
  const char *address = pn_message_get_address(msg);
  const char *subject = pn_message_get_subject(msg);
  if (pn_data_format(pn_message_body(msg), body, &size) != 0) strcpy(body, "(too long)");
  printf("Address: %s\n", address ? address : "(no address)");
  printf("Subject: %s\n", subject ? subject : "(no subject)");
  printf("Content: %s\n", body);
  fflush(stdout);
}

int main(int argc, char **argv)
{
  int count = 0, received = 0, opt, i;
  while ((opt = getopt(argc, argv, "c:h")) != -1) {
    if (opt == 'c') {
      count = atoi(optarg);
    } else {
      fprintf(stderr, "usage: recv [-c COUNT] [ADDRESS ...]\n");
      return opt == 'h' ? 0 : 2;
    }
  }

  pn_messenger_t *m = pn_messenger(NULL);
  pn_message_t *msg = pn_message();
  /* A window of tracked incoming deliveries, so the accept reaches the sender. */
  pn_messenger_set_incoming_window(m, 1024);
  die_on_error(m, pn_messenger_start(m), "start");
  if (optind == argc) {
    pn_messenger_subscribe(m, "amqp://~0.0.0.0");
  }
  for (i = optind; i < argc; i++) {
    if (!pn_messenger_subscribe(m, argv[i])) die_on_error(m, -1, argv[i]);
  }
  printf("listening\n");
  fflush(stdout);

  while (count == 0 || received < count) {
    die_on_error(m, pn_messenger_recv(m, 1024), "recv");
    while (pn_messenger_incoming(m) > 0) {
      die_on_error(m, pn_messenger_get(m, msg), "get");
      print_message(msg);
      pn_messenger_accept(m, pn_messenger_incoming_tracker(m), 0);
      received++;
    }
  }

  /* stop() flushes the accepts before the connections close. */
  pn_messenger_stop(m);
  pn_messenger_free(m);
  pn_message_free(msg);
  return 0;
}
