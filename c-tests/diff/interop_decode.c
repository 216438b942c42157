/* interop_decode DIR: decodes every DIR/NAME.amqp file (reference encodings written by proton's
 * own codec, see /work/shared/interop/README.md) value by value, prints each value's exact
 * type tree and formatted text, re-encodes the values and reports whether the bytes are
 * identical.  Files named message*.amqp are also decoded with pn_message_decode, printed
 * field by field and re-encoded with pn_message_encode. */
#include "common.h"

#include <dirent.h>
#include <proton/message.h>

static int amqp_file(const struct dirent *e)
{
  size_t n = strlen(e->d_name);
  return n > 5 && strcmp(e->d_name + n - 5, ".amqp") == 0;
}

static void as_message(const char *bytes, size_t n)
{
  pn_message_t *m = pn_message();
  int rc = pn_message_decode(m, bytes, n);
  printf("  pn_message_decode rc=%d errno=%d\n", rc, pn_message_errno(m));
  printf("    durable=%d priority=%u ttl=%" PRIu32 " first_acquirer=%d delivery_count=%" PRIu32 " inferred=%d\n",
         pn_message_is_durable(m), pn_message_get_priority(m), pn_message_get_ttl(m), pn_message_is_first_acquirer(m),
         pn_message_get_delivery_count(m), pn_message_is_inferred(m));
  printf("    id=");
  print_atom(pn_message_get_id(m));
  printf(" correlation_id=");
  print_atom(pn_message_get_correlation_id(m));
  printf(" user_id=");
  print_bytes(pn_message_get_user_id(m));
  printf("\n    address=");
  print_cstr(pn_message_get_address(m));
  printf(" subject=");
  print_cstr(pn_message_get_subject(m));
  printf(" reply_to=");
  print_cstr(pn_message_get_reply_to(m));
  printf(" content_type=");
  print_cstr(pn_message_get_content_type(m));
  printf(" content_encoding=");
  print_cstr(pn_message_get_content_encoding(m));
  printf(" group_id=");
  print_cstr(pn_message_get_group_id(m));
  printf(" reply_to_group_id=");
  print_cstr(pn_message_get_reply_to_group_id(m));
  printf("\n    expiry=%" PRId64 " creation=%" PRId64 " group_sequence=%" PRIu32 "\n", pn_message_get_expiry_time(m),
         pn_message_get_creation_time(m), pn_message_get_group_sequence(m));
  printf("    instructions ");
  print_format(pn_message_instructions(m));
  printf("\n    annotations ");
  print_format(pn_message_annotations(m));
  printf("\n    properties ");
  print_format(pn_message_properties(m));
  printf("\n    body ");
  print_format(pn_message_body(m));
  printf("\n");
  /* The body of message.amqp is a binary holding an encoded string: decode it too. */
  pn_data_t *body = pn_message_body(m);
  pn_data_rewind(body);
  if (pn_data_next(body) && pn_data_type(body) == PN_BINARY) {
    pn_bytes_t inner = pn_data_get_binary(body);
    pn_data_t *v = pn_data(0);
    ssize_t r = pn_data_decode(v, inner.start, inner.size);
    printf("    binary body decodes to rc=%zd ", r);
    print_format(v);
    printf("\n");
    pn_data_free(v);
  }
  static char out[4096];
  size_t on = sizeof out;
  rc = pn_message_encode(m, out, &on);
  printf("    re-encode rc=%d size=%zu identical=%s hex=", rc, on,
         (rc == 0 && on == n && memcmp(out, bytes, n) == 0) ? "yes" : "no");
  if (rc == 0) print_hex(out, on);
  printf("\n");
  pn_message_free(m);
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  struct dirent **names;
  int count = scandir(argv[1], &names, amqp_file, alphasort);
  if (count <= 0) {
    fprintf(stderr, "no .amqp files in %s\n", argv[1]);
    return 2;
  }
  printf("%d files\n", count);
  for (int i = 0; i < count; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", argv[1], names[i]->d_name);
    FILE *f = fopen(path, "rb");
    static char bytes[1 << 16];
    size_t n = f ? fread(bytes, 1, sizeof bytes, f) : 0;
    if (f) fclose(f);
    printf("== %s (%zu bytes)\n  hex ", names[i]->d_name, n);
    print_hex(bytes, n);
    printf("\n");
    pn_data_t *d = pn_data(0);
    size_t off = 0;
    int values = 0;
    while (off < n) {
      ssize_t r = pn_data_decode(d, bytes + off, n - off);
      printf("  value %d at %zu: decode rc=%zd\n", values, off, r);
      if (r <= 0) break;
      off += (size_t)r;
      values++;
    }
    printf("  values=%d consumed=%zu\n", values, off);
    pn_data_rewind(d);
    print_tree(d, 1);
    show_format("  format", d);
    static char out[1 << 16];
    ssize_t on = pn_data_encode(d, out, sizeof out);
    printf("  re-encode rc=%zd identical=%s\n", on,
           (on >= 0 && (size_t)on == off && memcmp(out, bytes, off) == 0) ? "yes" : "no");
    if (on > 0 && !((size_t)on == off && memcmp(out, bytes, off) == 0)) {
      printf("  re-encoded hex ");
      print_hex(out, (size_t)on);
      printf("\n");
    }
    if (strncmp(names[i]->d_name, "message", 7) == 0) as_message(bytes, n);
    pn_data_free(d);
    free(names[i]);
  }
  free(names);
  return 0;
}
