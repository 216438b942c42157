/* Legacy proton-c code must build unchanged, warning-free, against our include/.
 *
 * Includes only <proton/message.h>, as legacy programs do, and uses what that header brings
 * in transitively: types.h, codec.h and error.h. Compiled (not run) by check-headers.sh with
 * -Wall -Wextra -Werror.
 */
#include <proton/message.h>

#include <stdio.h>
#include <string.h>

static int fill_properties(pn_message_t *msg)
{
  pn_data_t *props = pn_message_properties(msg);
  PN_RETURN_IF_ERROR(pn_data_put_map(props));
  pn_data_enter(props);
  PN_RETURN_IF_ERROR(pn_data_put_string(props, pn_bytes(strlen("key"), "key")));
  PN_RETURN_IF_ERROR(pn_data_put_int(props, 7));
  pn_data_exit(props);
  return 0;
}

int check_legacy(void);
int check_legacy(void)
{
  char buffer[1024];
  size_t size = sizeof(buffer);
  pn_message_t *msg = pn_message();
  pn_msgid_t id;
  pn_bytes_t empty = pn_bytes_null;
  pn_error_t *error = pn_error();
  pn_timestamp_t now = 0;
  pn_millis_t ttl = PN_MILLIS_MAX;
  pn_type_t type = PN_STRING;

  id.type = PN_ULONG;
  id.u.as_ulong = 1;
  pn_message_set_id(msg, id);
  pn_message_set_address(msg, "amqp://127.0.0.1/queue");
  pn_message_set_creation_time(msg, now);
  pn_message_set_ttl(msg, ttl);
  pn_message_set_priority(msg, PN_DEFAULT_PRIORITY);
  pn_data_fill(pn_message_body(msg), "S", "hello");
  if (fill_properties(msg) == PN_ERR) return 1;
  if (pn_message_encode(msg, buffer, &size) == PN_OVERFLOW) return 1;
  if (pn_data_type(pn_message_body(msg)) != type) return 1;
  pn_error_format(error, PN_ERR, "%d bytes, %zu empty", (int)size, empty.size);
  printf("%s: %s\n", pn_code(pn_error_code(error)), pn_error_text(error));
  printf("%s\n", pn_type_name(type));
  pn_error_free(error);
  pn_message_free(msg);
  return 0;
}
