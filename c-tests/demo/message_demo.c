/* message_demo: the project's "main job" until Messenger lands.
 *
 * Builds a message (address, subject, application properties, string body), encodes it to
 * AMQP bytes, decodes the bytes into a second message and prints what came back, in the
 * style of proton's recv example. Uses only the legacy API (<proton/message.h>), so the same
 * source runs against Debian's proton-c and against ours: `make demo` runs ours, and
 * `make test-demo` checks both print the same thing.
 */
#include <proton/message.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(int rc, const char *what, pn_message_t *msg)
{
  if (rc < 0) {
    fprintf(stderr, "message_demo: %s failed: %s (%s)\n", what, pn_code(rc),
            msg ? pn_error_text(pn_message_error(msg)) : "");
    exit(1);
  }
}

/* Print a data section with pn_data_format, or "(empty)". */
static void print_data(const char *label, pn_data_t *data)
{
  char text[1024];
  size_t size = sizeof(text);
  if (pn_data_size(data) == 0) {
    printf("%s: (empty)\n", label);
    return;
  }
  pn_data_rewind(data);
  check(pn_data_format(data, text, &size), "pn_data_format", NULL);
  printf("%s: %s\n", label, text);
}

static pn_bytes_t str(const char *s) { return pn_bytes(strlen(s), s); }

static pn_message_t *build(void)
{
  pn_message_t *msg = pn_message();
  pn_data_t *props = pn_message_properties(msg);
  pn_data_t *body = pn_message_body(msg);

  check(pn_message_set_address(msg, "amqp://127.0.0.1:5672/examples"), "set_address", msg);
  check(pn_message_set_subject(msg, "demo"), "set_subject", msg);

  check(pn_data_put_map(props), "put_map", NULL);
  pn_data_enter(props);
  check(pn_data_put_string(props, str("sender")), "put_string", NULL);
  check(pn_data_put_string(props, str("message_demo")), "put_string", NULL);
  check(pn_data_put_string(props, str("sequence")), "put_string", NULL);
  check(pn_data_put_int(props, 1), "put_int", NULL);
  pn_data_exit(props);

  check(pn_data_put_string(body, str("Hello World!")), "put_string", NULL);
  return msg;
}

int main(void)
{
  char buffer[4096];
  size_t size = sizeof(buffer);
  pn_message_t *sent = build();
  pn_message_t *received = pn_message();

  check(pn_message_encode(sent, buffer, &size), "pn_message_encode", sent);
  printf("Encoded: %zu bytes\n", size);
  check(pn_message_decode(received, buffer, size), "pn_message_decode", received);

  printf("Address: %s\n", pn_message_get_address(received));
  printf("Subject: %s\n", pn_message_get_subject(received));
  print_data("Properties", pn_message_properties(received));
  print_data("Content", pn_message_body(received));

  pn_message_free(sent);
  pn_message_free(received);
  return 0;
}
