/* msgr-recv: receive messages with a legacy proton Messenger (messenger.h only).
 *
 * Subscribes every address (amqp://~HOST:PORT listens; amqp://HOST:PORT/QUEUE attaches to a
 * broker queue), prints "msgr-recv ready" once subscribed, then receives until COUNT messages
 * arrived (or, with COUNT 0, until the timeout or idle time ends the run). Each message's
 * identity ({"sender": ID, "seq": N}, see msgr-send) is recorded: duplicates and, with -V,
 * bodies that differ from what msgr-send puts in are counted. With an incoming window > 0
 * every message is accepted, or rejected when -j N and (seq + 1) % N == 0; everything is settled
 * before stopping. Reply mode answers each message that has a reply_to with a message carrying
 * the same identity.
 *
 * The last line on stdout is the summary, e.g.
 *   msgr-recv result=ok received=1000 accepted=900 rejected=100 dups=0 bad=0 ... lib=/path
 * result is ok, timeout or error; exit status 0 only for ok with no duplicate or bad message. */
#include "msgr-common.h"

#include <unistd.h>

/* Sequence numbers seen per sender id, as a growing bitmap. */
typedef struct {
  char id[MSGR_MAX_ID];
  unsigned char *bits;
  size_t nbytes;
} seen_t;

static seen_t *seen;
static size_t nseen;

/* Mark (id, seq) as received; false if it was already. */
static bool seen_mark(const char *id, uint64_t seq)
{
  seen_t *s = NULL;
  for (size_t i = 0; i < nseen; i++)
    if (!strcmp(seen[i].id, id)) s = &seen[i];
  if (!s) {
    seen = realloc(seen, (nseen + 1) * sizeof(seen_t));
    if (!seen) msgr_die("out of memory");
    s = &seen[nseen++];
    snprintf(s->id, sizeof(s->id), "%s", id);
    s->bits = NULL;
    s->nbytes = 0;
  }
  size_t byte = (size_t)(seq / 8);
  if (byte >= s->nbytes) {
    size_t n = s->nbytes ? s->nbytes : 1024;
    while (n <= byte) n *= 2;
    s->bits = realloc(s->bits, n);
    if (!s->bits) msgr_die("out of memory");
    memset(s->bits + s->nbytes, 0, n - s->nbytes);
    s->nbytes = n;
  }
  unsigned char bit = (unsigned char)(1u << (seq % 8));
  if (s->bits[byte] & bit) return false;
  s->bits[byte] |= bit;
  return true;
}

/* The body msgr-send puts in for (id, seq): a binary of some size cut from the pattern. */
static unsigned char *pattern;
static size_t pattern_size;

static bool body_ok(pn_message_t *msg, const char *id, uint64_t seq)
{
  pn_data_t *body = pn_message_body(msg);
  pn_data_rewind(body);
  if (!pn_data_next(body) || pn_data_type(body) != PN_BINARY) return false;
  pn_bytes_t b = pn_data_get_binary(body);
  if (b.size > pattern_size) {
    free(pattern);
    pattern = msgr_pattern(b.size);
    pattern_size = b.size;
  }
  return !memcmp(b.start, pattern + msgr_body_offset(id, seq), b.size) && !pn_data_next(body);
}

static void usage(void)
{
  printf("usage: msgr-recv [options]\n"
         "  -a ADDR[,ADDR..]  subscribe address(es) (default amqp://~127.0.0.1:5672)\n"
         "  -c COUNT          stop after COUNT messages (default 0: until -t/-I ends the run)\n"
         "  -w WINDOW         incoming window: 0 settle on get (default), >0 accept/reject, tracked\n"
         "  -j N              reject the messages with (seq + 1) %% N == 0 (needs -w > 0)\n"
         "  -s                settle each message right after accepting/rejecting it (needs -w)\n"
         "  -C CREDIT         pn_messenger_recv(CREDIT) (default -1: automatic)\n"
         "  -r                reply mode: answer every message that has a reply_to\n"
         "  -V                verify every body against msgr-send's pattern\n"
         "  -o FILE           write \"ID SEQ\" per received message, \"-\" for stdout\n"
         "  -t MS             timeout for the whole run in ms (default -1: none)\n"
         "  -I MS             end the run (result=ok) after MS ms without a message\n"
         "  -n NAME           messenger (container) name (default: a UUID)\n"
         "  -S                add stats to the summary (from the first message to the last)\n"
         "  -q                quiet: only the summary line\n"
         "  -v                verbose: a line per message\n"
         MSGR_TLS_USAGE);
}

int main(int argc, char **argv)
{
  msgr_prog = "msgr-recv";
  char default_addr[] = "amqp://~127.0.0.1:5672";
  char *addrs[MSGR_MAX_ADDRS];
  int naddrs = 0;
  long count = 0, window = 0, reject_every = 0, credit = -1, timeout = -1, idle = -1;
  const char *name = NULL, *out_path = NULL;
  bool reply_mode = false, verify = false, stats = false, quiet = false, verbose = false;
  bool settle_each = false;

  msgr_tls_t tls = MSGR_TLS_INIT;
  int opt;
  while ((opt = getopt(argc, argv, "a:c:w:j:sC:rVo:t:I:n:SqvhE:K:P:T:M:")) != -1) {
    switch (opt) {
    case 'a': naddrs = msgr_split(optarg, addrs); break;
    case 'c': count = msgr_parse_long("-c", optarg); break;
    case 'w': window = msgr_parse_long("-w", optarg); break;
    case 'j': reject_every = msgr_parse_long("-j", optarg); break;
    case 's': settle_each = true; break;
    case 'C': credit = msgr_parse_long("-C", optarg); break;
    case 'r': reply_mode = true; break;
    case 'V': verify = true; break;
    case 'o': out_path = optarg; break;
    case 't': timeout = msgr_parse_long("-t", optarg); break;
    case 'I': idle = msgr_parse_long("-I", optarg); break;
    case 'n': name = optarg; break;
    case 'S': stats = true; break;
    case 'q': quiet = true; break;
    case 'v': verbose = true; break;
    case 'h': usage(); return 0;
    default:
      if (msgr_tls_option(&tls, opt, optarg)) break;
      usage();
      return 2;
    }
  }
  if (optind < argc) msgr_die("unexpected argument '%s'", argv[optind]);
  if (naddrs == 0) naddrs = msgr_split(default_addr, addrs);
  if (count < 0 || window < 0 || reject_every < 0) msgr_die("-c, -w and -j must be >= 0");
  if (reject_every > 0 && window == 0) msgr_die("-j needs an incoming window (-w > 0)");
  if (settle_each && window == 0) msgr_die("-s needs an incoming window (-w > 0)");
  if (window > INT32_MAX || credit > INT32_MAX || credit < -2) msgr_die("-w/-C out of range");

  FILE *out = NULL;
  if (out_path) {
    out = strcmp(out_path, "-") ? fopen(out_path, "w") : stdout;
    if (!out) msgr_die("cannot open %s: %s", out_path, strerror(errno));
  }

  msgr_stats_t st;
  msgr_stats_start(&st);
  double deadline = timeout >= 0 ? msgr_now() + timeout / 1000.0 : -1;

  pn_messenger_t *m = pn_messenger(name);
  msgr_tls_apply(m, &tls);
  pn_messenger_set_incoming_window(m, (int)window);
  msgr_check(m, pn_messenger_start(m), "start");
  for (int i = 0; i < naddrs; i++)
    if (!pn_messenger_subscribe(m, addrs[i])) msgr_check(m, PN_ERR, "subscribe");
  if (!quiet) {
    printf("msgr-recv ready\n");
    fflush(stdout);
  }

  pn_message_t *msg = pn_message();
  pn_message_t *reply = pn_message();
  const char *result = "ok";
  long received = 0, accepted = 0, rejected = 0, dups = 0, bad = 0, unidentified = 0;
  long replies = 0, no_reply_to = 0;
  double t_first = -1, t_last = msgr_now(), t_idle_from = msgr_now();
  pn_tracker_t last_tracker = 0;

  while (count == 0 || received < count) {
    int tmo = msgr_remaining_ms(deadline);
    if (idle >= 0) {
      int idle_left = (int)((t_idle_from + idle / 1000.0 - msgr_now()) * 1000.0) + 1;
      if (idle_left < 0) idle_left = 0;
      if (tmo < 0 || idle_left < tmo) tmo = idle_left;
    }
    pn_messenger_set_timeout(m, tmo);
    int rc = pn_messenger_recv(m, (int)credit);
    if (rc == PN_TIMEOUT) {
      /* With a COUNT, running out of time is a failure; without, it is how the run ends. */
      if (count > 0) result = "timeout";
      else if (deadline < 0 && idle < 0) continue;
      break;
    }
    msgr_check(m, rc, "recv");
    while (count == 0 || received < count) {
      pn_message_clear(msg);
      rc = pn_messenger_get(m, msg);
      if (rc == PN_EOS) break;
      msgr_check(m, rc, "get");
      double t = msgr_now();
      if (t_first < 0) {
        t_first = t; /* receiver stats run from the first message: not the wait for senders */
        msgr_stats_start(&st);
      }
      t_last = t_idle_from = t;
      received++;
      pn_tracker_t tracker = pn_messenger_incoming_tracker(m);
      last_tracker = tracker;

      char id[MSGR_MAX_ID];
      uint64_t seq = 0;
      bool identified = msgr_get_identity(msg, id, &seq);
      if (!identified) {
        unidentified++;
        snprintf(id, sizeof(id), "?");
      } else {
        if (!seen_mark(id, seq)) dups++;
        if (verify && !body_ok(msg, id, seq)) {
          bad++;
          fprintf(stderr, "msgr-recv: bad body from %s seq %" PRIu64 "\n", id, seq);
        }
        if (out) fprintf(out, "%s %" PRIu64 "\n", id, seq);
      }
      bool reject = identified && reject_every > 0 && (seq + 1) % (uint64_t)reject_every == 0;
      if (window > 0) {
        if (reject) {
          msgr_check(m, pn_messenger_reject(m, tracker, 0), "reject");
          rejected++;
        } else {
          msgr_check(m, pn_messenger_accept(m, tracker, 0), "accept");
          accepted++;
        }
        /* Outcome and settlement in one disposition frame (RabbitMQ 3.10 ends the session on
         * an unsettled disposition: see c-tests/brokers/README.md). */
        if (settle_each) pn_messenger_settle(m, tracker, 0);
      }
      if (verbose)
        printf("got %s seq=%" PRIu64 " tracker=%" PRId64 "%s\n", id, seq, (int64_t)tracker,
               window > 0 ? (reject ? " rejected" : " accepted") : "");
      if (reply_mode) {
        const char *to = pn_message_get_reply_to(msg);
        if (!to) {
          no_reply_to++;
          continue;
        }
        pn_message_clear(reply);
        pn_message_set_address(reply, to);
        if (identified) msgr_set_identity(reply, id, seq);
        msgr_check(m, pn_messenger_put(m, reply), "put reply");
        replies++;
      }
    }
    if (reply_mode && pn_messenger_outgoing(m) > 0) {
      pn_messenger_set_timeout(m, msgr_remaining_ms(deadline));
      rc = pn_messenger_send(m, -1);
      if (rc == PN_TIMEOUT) {
        result = "timeout";
        break;
      }
      msgr_check(m, rc, "send reply");
    }
  }

  /* Settle what the window still holds, so every outcome reaches the sender before we stop. */
  if (window > 0 && last_tracker) pn_messenger_settle(m, last_tracker, PN_CUMULATIVE);
  pn_messenger_set_timeout(m, 5000);
  int stop_rc = pn_messenger_stop(m);
  if (stop_rc && !quiet) fprintf(stderr, "msgr-recv: stop: %s\n", pn_code(stop_rc));

  printf("msgr-recv result=%s received=%ld accepted=%ld rejected=%ld dups=%ld bad=%ld "
         "unidentified=%ld senders=%zu window=%ld verified=%d",
         result, received, accepted, rejected, dups, bad, unidentified, nseen, window, verify);
  if (reply_mode) printf(" replies=%ld no_reply_to=%ld", replies, no_reply_to);
  if (stats) msgr_stats_print(&st, (uint64_t)received, t_first, t_last);
  printf(" lib=%s\n", msgr_loaded_lib());
  msgr_print_error(m);
  fflush(stdout);
  if (out && out != stdout) fclose(out);

  bool ok = !strcmp(result, "ok") && dups == 0 && bad == 0 &&
            unidentified == 0 && no_reply_to == 0;
  pn_message_free(reply);
  pn_message_free(msg);
  pn_messenger_free(m);
  for (size_t i = 0; i < nseen; i++) free(seen[i].bits);
  free(seen);
  free(pattern);
  return ok ? 0 : 1;
}
