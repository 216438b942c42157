/* msgr-send: send COUNT messages with a legacy proton Messenger (messenger.h only).
 *
 * Every message carries application properties {"sender": ID, "seq": N} (N from 0) and a
 * binary body of the requested size cut from a fixed pattern at an offset derived from ID and
 * N, so msgr-recv -V can check it. Messages are put BATCH at a time, then pn_messenger_send(-1).
 * With an outgoing window > 0 (tracked) the status of every tracker is read once the batch is
 * sent, counted, then settled. With -k (pipelined tracking) the next batch is put before the
 * previous batch's outcomes are awaited, so one batch is always in flight: send(n) waits until
 * only the newest batch is undetermined, then the previous batch's statuses are read and
 * settled (the outgoing window must hold two batches). Round-trip mode sets reply_to, waits for each batch's replies
 * (from msgr-recv -r) and measures put-to-reply latency.
 *
 * The last line on stdout is the summary, e.g.
 *   msgr-send result=ok id=s1 sent=1000 tracked=1 ACCEPTED=900 REJECTED=100 ... lib=/path
 * result is ok, timeout or error; exit status 0 only for ok with every tracker in a final state
 * (not UNKNOWN, PENDING or ABORTED) and every reply received. */
#include "msgr-common.h"

#include <unistd.h>

static void usage(void)
{
  printf("usage: msgr-send [options]\n"
         "  -a ADDR[,ADDR..]  target address(es), used round-robin (default amqp://127.0.0.1:5672/queue)\n"
         "  -c COUNT          messages to send (default 1)\n"
         "  -b BYTES          body size (default 1024)\n"
         "  -w WINDOW         outgoing window: 0 untracked (default), >0 tracked (needs BATCH <= WINDOW)\n"
         "  -p BATCH          put BATCH messages, then send (default 1024, capped by -w when tracked)\n"
         "  -k                pipelined tracking: keep one batch in flight (needs -w >= 2*BATCH)\n"
         "  -t MS             timeout for the whole run in ms (default -1: none)\n"
         "  -i ID             sender id carried by every message (default \"send\")\n"
         "  -n NAME           messenger (container) name (default: a UUID)\n"
         "  -R                round trip: set reply_to, wait for every reply, measure latency\n"
         "  -y ADDR           reply_to address (default \"~\": back over our own connection)\n"
         "  -l ADDR           also subscribe ADDR (e.g. amqp://~127.0.0.1:PORT for replies)\n"
         "  -o FILE           write \"SEQ STATUS\" per tracker (tracked), \"-\" for stdout\n"
         "  -S                add stats to the summary (elapsed, msgs/s, CPU us/msg, max RSS)\n"
         "  -q                quiet: only the summary line\n"
         "  -v                verbose: a line per message\n"
         MSGR_TLS_USAGE);
}

/* Count (and print) the statuses of N trackers whose first message is FIRST, then settle them. */
static void read_statuses(pn_messenger_t *m, const pn_tracker_t *tr, long first, long n,
                          long *status_count, FILE *out, bool verbose)
{
  for (long k = 0; k < n; k++) {
    pn_status_t s = pn_messenger_status(m, tr[k]);
    int idx = s >= PN_STATUS_UNKNOWN && s <= PN_STATUS_SETTLED ? (int)s : PN_STATUS_SETTLED + 1;
    status_count[idx]++;
    if (out) fprintf(out, "%ld %s\n", first + k, msgr_status_name(s));
    if (verbose) printf("status seq=%ld %s\n", first + k, msgr_status_name(s));
  }
  pn_messenger_settle(m, tr[n - 1], PN_CUMULATIVE);
}

int main(int argc, char **argv)
{
  msgr_prog = "msgr-send";
  char default_addr[] = "amqp://127.0.0.1:5672/queue";
  char *addrs[MSGR_MAX_ADDRS];
  int naddrs = 0;
  long count = 1, size = 1024, window = 0, batch = -1, timeout = -1;
  const char *id = "send", *name = NULL, *reply_to = NULL, *listen = NULL, *out_path = NULL;
  bool round_trip = false, pipelined = false, stats = false, quiet = false, verbose = false;

  msgr_tls_t tls = MSGR_TLS_INIT;
  int opt;
  while ((opt = getopt(argc, argv, "a:c:b:w:p:kt:i:n:Ry:l:o:SqvhE:K:P:T:M:")) != -1) {
    switch (opt) {
    case 'a': naddrs = msgr_split(optarg, addrs); break;
    case 'c': count = msgr_parse_long("-c", optarg); break;
    case 'b': size = msgr_parse_long("-b", optarg); break;
    case 'w': window = msgr_parse_long("-w", optarg); break;
    case 'p': batch = msgr_parse_long("-p", optarg); break;
    case 'k': pipelined = true; break;
    case 't': timeout = msgr_parse_long("-t", optarg); break;
    case 'i': id = optarg; break;
    case 'n': name = optarg; break;
    case 'R': round_trip = true; break;
    case 'y': reply_to = optarg; break;
    case 'l': listen = optarg; break;
    case 'o': out_path = optarg; break;
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
  if (count < 0 || size < 0 || window < 0) msgr_die("-c, -b and -w must be >= 0");
  if (strlen(id) >= MSGR_MAX_ID) msgr_die("id longer than %d", MSGR_MAX_ID - 1);
  if (batch < 0) {
    long room = pipelined ? window / 2 : window;
    batch = window > 0 && room < 1024 ? room : 1024;
  }
  if (batch < 1) msgr_die("-p must be >= 1");
  /* Trackers older than the window are forgotten: a batch must fit to read every status. */
  if (window > 0 && batch > window) msgr_die("-p %ld is larger than -w %ld", batch, window);
  if (pipelined && (window == 0 || round_trip)) msgr_die("-k needs -w > 0 and no -R");
  if (pipelined && 2 * batch > window) msgr_die("-k: -w %ld must hold two batches of %ld", window, batch);
  if (round_trip && !reply_to) reply_to = "~";
  if (window > INT32_MAX || batch > INT32_MAX) msgr_die("-w/-p too large");

  FILE *out = NULL;
  if (out_path) {
    out = strcmp(out_path, "-") ? fopen(out_path, "w") : stdout;
    if (!out) msgr_die("cannot open %s: %s", out_path, strerror(errno));
  }

  unsigned char *pattern = msgr_pattern((size_t)size);
  pn_tracker_t *trackers = calloc(2 * (size_t)batch, sizeof(pn_tracker_t));
  double *put_time = round_trip ? calloc((size_t)count + 1, sizeof(double)) : NULL;
  double *latency = round_trip ? calloc((size_t)count + 1, sizeof(double)) : NULL;
  unsigned char *replied = round_trip ? calloc((size_t)count + 1, 1) : NULL;
  if (!trackers || (round_trip && (!put_time || !latency || !replied))) msgr_die("out of memory");

  msgr_stats_t st;
  msgr_stats_start(&st);
  double deadline = timeout >= 0 ? msgr_now() + timeout / 1000.0 : -1;

  pn_messenger_t *m = pn_messenger(name);
  msgr_tls_apply(m, &tls);
  pn_messenger_set_outgoing_window(m, (int)window);
  msgr_check(m, pn_messenger_start(m), "start");
  if (listen && !pn_messenger_subscribe(m, listen)) msgr_check(m, PN_ERR, "subscribe");

  pn_message_t *msg = pn_message();
  pn_message_t *reply = pn_message();
  long status_count[PN_STATUS_SETTLED + 2] = {0};
  const char *result = "ok";
  long sent = 0, replies = 0, bad_replies = 0;
  size_t nlat = 0;

  /* Pipelined: the previous batch, sent but its statuses not read yet. */
  pn_tracker_t *held = NULL;
  long held_first = 0, held_n = 0;

  while (sent < count) {
    long n = count - sent < batch ? count - sent : batch;
    pn_tracker_t *tr = trackers + (pipelined ? (sent / batch % 2) * batch : 0);
    for (long k = 0; k < n; k++) {
      uint64_t seq = (uint64_t)(sent + k);
      pn_message_set_address(msg, addrs[seq % (uint64_t)naddrs]);
      if (reply_to) pn_message_set_reply_to(msg, reply_to);
      msgr_set_identity(msg, id, seq);
      pn_data_t *body = pn_message_body(msg);
      pn_data_clear(body);
      pn_data_put_binary(body, pn_bytes((size_t)size, (const char *)pattern + msgr_body_offset(id, seq)));
      if (round_trip) put_time[seq] = msgr_now();
      msgr_check(m, pn_messenger_put(m, msg), "put");
      tr[k] = pn_messenger_outgoing_tracker(m);
      if (verbose) printf("put seq=%" PRIu64 " to=%s tracker=%" PRId64 "\n", seq,
                          addrs[seq % (uint64_t)naddrs], (int64_t)tr[k]);
    }
    pn_messenger_set_timeout(m, msgr_remaining_ms(deadline));
    int rc = 0;
    if (!pipelined) {
      rc = pn_messenger_send(m, -1);
    } else if (held_n > 0) {
      /* send(k) waits until at most outgoing - k messages are undetermined: here the n just
       * put, so the held batch has its outcomes (they come back in order). -1 means "all". */
      int k = pn_messenger_outgoing(m) - (int)n;
      rc = pn_messenger_send(m, k == -1 ? -2 : k);
    }
    if (rc == PN_TIMEOUT) {
      result = "timeout";
      fprintf(stderr, "msgr-send: send timed out with %d outgoing after %ld sent\n",
              pn_messenger_outgoing(m), sent);
      break;
    }
    msgr_check(m, rc, "send");
    if (pipelined) {
      if (held_n > 0) read_statuses(m, held, held_first, held_n, status_count, out, verbose);
      held = tr;
      held_first = sent;
      held_n = n;
    } else if (window > 0) {
      read_statuses(m, tr, sent, n, status_count, out, verbose);
    }
    sent += n;

    /* Round trip: every reply of this batch, matched by its seq property. */
    long want = replies + n;
    while (round_trip && replies < want) {
      pn_messenger_set_timeout(m, msgr_remaining_ms(deadline));
      rc = pn_messenger_recv(m, -1);
      if (rc == PN_TIMEOUT) break;
      msgr_check(m, rc, "recv");
      while (replies < want) {
        pn_message_clear(reply);
        rc = pn_messenger_get(m, reply);
        if (rc == PN_EOS) break;
        msgr_check(m, rc, "get");
        double t = msgr_now();
        char rid[MSGR_MAX_ID];
        uint64_t seq = 0;
        if (!msgr_get_identity(reply, rid, &seq) || strcmp(rid, id) || seq >= (uint64_t)sent ||
            replied[seq]) {
          bad_replies++;
          continue;
        }
        replied[seq] = 1;
        latency[nlat++] = t - put_time[seq];
        replies++;
        if (verbose) printf("reply seq=%" PRIu64 " rtt_us=%.1f\n", seq, (t - put_time[seq]) * 1e6);
      }
    }
    if (round_trip && replies < want) {
      result = "timeout";
      fprintf(stderr, "msgr-send: %ld of %ld replies before the timeout\n", replies, want);
      break;
    }
  }
  if (held_n > 0 && !strcmp(result, "ok")) {
    pn_messenger_set_timeout(m, msgr_remaining_ms(deadline));
    int rc = pn_messenger_send(m, -1);
    if (rc == PN_TIMEOUT) {
      result = "timeout";
      fprintf(stderr, "msgr-send: the last batch's outcomes did not come in time\n");
    } else {
      msgr_check(m, rc, "send");
    }
    read_statuses(m, held, held_first, held_n, status_count, out, verbose);
  }
  double t_end = msgr_now();

  pn_messenger_set_timeout(m, 5000);
  int stop_rc = pn_messenger_stop(m);
  if (stop_rc && !quiet) fprintf(stderr, "msgr-send: stop: %s\n", pn_code(stop_rc));

  printf("msgr-send result=%s id=%s sent=%ld size=%ld window=%ld batch=%ld tracked=%d", result,
         id, sent, size, window, batch, window > 0);
  for (int s = PN_STATUS_UNKNOWN; s <= PN_STATUS_SETTLED; s++)
    printf(" %s=%ld", msgr_status_name((pn_status_t)s), status_count[s]);
  if (round_trip) printf(" replies=%ld bad_replies=%ld", replies, bad_replies);
  if (stats) msgr_stats_print(&st, (uint64_t)sent, -1, t_end);
  if (round_trip) msgr_latency_print(latency, nlat);
  printf(" lib=%s\n", msgr_loaded_lib());
  msgr_print_error(m);
  fflush(stdout);
  if (out && out != stdout) fclose(out);

  bool ok = !strcmp(result, "ok") && status_count[PN_STATUS_UNKNOWN] == 0 &&
            status_count[PN_STATUS_PENDING] == 0 && status_count[PN_STATUS_ABORTED] == 0 &&
            status_count[PN_STATUS_SETTLED + 1] == 0 && bad_replies == 0 &&
            (!round_trip || replies == count);
  pn_message_free(reply);
  pn_message_free(msg);
  pn_messenger_free(m);
  free(pattern);
  free(trackers);
  free(put_time);
  free(latency);
  free(replied);
  return ok ? 0 : 1;
}
