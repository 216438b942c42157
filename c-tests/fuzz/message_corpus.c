/* message_corpus DIR...: feeds every file of the given directories (proton's own
 * fuzz-message-decode corpus and crash inputs) to pn_message_decode, then reads every field,
 * formats every section, re-encodes with pn_message_encode / pn_message_encode2 /
 * pn_message_data, and also decodes the raw bytes with pn_data_decode value by value.
 *
 * run.sh builds it with ASan+UBSan against our library only: the check is "no crash, no
 * leak, no undefined behaviour, no hang" (proton 0.37 itself crashed on the crash/ inputs).
 * Output is one summary line per file (not compared with anything) and "N files". */
#include <proton/codec.h>
#include <proton/error.h>
#include <proton/message.h>
#include <proton/types.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char fmt[1 << 16];

static size_t format_len(pn_data_t *d)
{
  size_t n = sizeof fmt;
  return pn_data_format(d, fmt, &n) == 0 ? n : 0;
}

static void exercise(const char *name, const char *bytes, size_t n)
{
  pn_message_t *m = pn_message();
  int rc = n ? pn_message_decode(m, bytes, n) : -999;
  size_t text = 0;
  const char *strs[] = {pn_message_get_address(m), pn_message_get_subject(m), pn_message_get_reply_to(m),
                        pn_message_get_content_type(m), pn_message_get_content_encoding(m),
                        pn_message_get_group_id(m), pn_message_get_reply_to_group_id(m)};
  for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) text += strs[i] ? strlen(strs[i]) : 0;
  pn_bytes_t user = pn_message_get_user_id(m);
  pn_atom_t id = pn_message_get_id(m), corr = pn_message_get_correlation_id(m);
  unsigned long long scalars = (unsigned long long)pn_message_is_durable(m) + pn_message_get_priority(m) +
                               pn_message_get_ttl(m) + pn_message_is_first_acquirer(m) +
                               pn_message_get_delivery_count(m) + (unsigned long long)pn_message_get_expiry_time(m) +
                               (unsigned long long)pn_message_get_creation_time(m) +
                               pn_message_get_group_sequence(m) + pn_message_is_inferred(m);
  size_t f = format_len(pn_message_instructions(m)) + format_len(pn_message_annotations(m)) +
             format_len(pn_message_properties(m)) + format_len(pn_message_body(m));
  static char out[1 << 20];
  size_t on = sizeof out;
  int erc = pn_message_encode(m, out, &on);
  pn_rwbytes_t buf = pn_rwbytes(0, NULL);
  ssize_t e2 = pn_message_encode2(m, &buf);
  free(buf.start);
  pn_data_t *d = pn_data(0);
  int drc = pn_message_data(m, d);
  size_t df = format_len(d);
  /* The message-id views on a decoded message. */
  size_t idf = format_len(pn_message_id(m)) + format_len(pn_message_correlation_id(m));
  pn_data_clear(d);
  size_t off = 0;
  int values = 0;
  ssize_t r = 0;
  while (off < n && values < 10000) {
    r = pn_data_decode(d, bytes + off, n - off);
    if (r <= 0) break;
    off += (size_t)r;
    values++;
  }
  size_t rf = format_len(d);
  ssize_t re = pn_data_encoded_size(d);
  printf("%s: size=%zu decode=%d id=%d corr=%d user=%zu text=%zu scalars=%llu fmt=%zu encode=%d/%zu encode2=%zd "
         "data=%d/%zu ids=%zu | raw values=%d consumed=%zu last=%zd fmt=%zu encoded_size=%zd\n",
         name, n, rc, (int)id.type, (int)corr.type, user.size, text, scalars, f, erc, erc ? 0 : on, e2, drc, df, idf,
         values, off, r, rf, re);
  pn_data_free(d);
  pn_message_free(m);
}

static int regular(const struct dirent *e)
{
  return e->d_name[0] != '.';
}

int main(int argc, char **argv)
{
  int files = 0;
  for (int a = 1; a < argc; a++) {
    struct dirent **names;
    int count = scandir(argv[a], &names, regular, alphasort);
    if (count < 0) {
      fprintf(stderr, "cannot read %s\n", argv[a]);
      return 2;
    }
    for (int i = 0; i < count; i++) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%s", argv[a], names[i]->d_name);
      FILE *fp = fopen(path, "rb");
      if (fp) {
        static char bytes[1 << 20];
        size_t n = fread(bytes, 1, sizeof bytes, fp);
        fclose(fp);
        exercise(names[i]->d_name, bytes, n);
        fflush(stdout);
        files++;
      }
      free(names[i]);
    }
    free(names);
  }
  printf("%d files\n", files);
  return files ? 0 : 2;
}
