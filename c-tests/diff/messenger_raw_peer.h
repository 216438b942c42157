/* A scripted AMQP peer for the messenger differential tests: a plain TCP listener on
 * 127.0.0.1 that accepts one connection at a time, records the performatives the messenger
 * sends, and answers only what a test tells it to (open with an idle timeout, begin, attach,
 * detach or close with an error condition, a redirect, garbage instead of a protocol header,
 * or an abrupt close).  Frames are built and read with pn_data (codec.h), so the peer is the
 * same on both libraries; it is stepped from the tests' pump loops, never blocks. */
#ifndef CTESTS_DIFF_MESSENGER_RAW_PEER_H
#define CTESTS_DIFF_MESSENGER_RAW_PEER_H

#include "messenger_common.h"

#include <errno.h>
#include <fcntl.h>

/* Performative descriptors (AMQP 1.0 section 2.7). */
enum { P_OPEN = 0x10, P_BEGIN, P_ATTACH, P_FLOW, P_TRANSFER, P_DISPOSITION, P_DETACH, P_END, P_CLOSE };

struct raw_peer {
  int listen_fd, fd, port;
  char in[1 << 16];
  size_t in_len;
  int header_seen;
  /* What arrived, in order: "open begin attach transfer ..." */
  char log[1024];
  int count[P_CLOSE + 1];
  char attach_name[128];
  int attach_handle, attach_channel;
  /* Channel of the frame being handled (the peer answers on the channel it was asked on). */
  int channel;
  /* Every attach, in order: the messenger's role (true: it receives), and the source address
   * the peer answers with when it is the sending end (NULL: none). */
  int nlinks;
  struct {
    int handle, channel, receiver;
    const char *answer_source;
  } links[8];
  /* Last flow: link-credit and drain, and the number of flows. */
  uint32_t flow_credit;
  int flow_drain;
  /* Dispositions the messenger sent, per link (index in links) and delivery id (ids count
   * per session; each messenger link has its own session). State 0: none. */
  struct {
    int seen, settled;
    uint64_t state;
  } dispositions[8][16];
  /* Replies the test enables. */
  int answer_open, answer_begin, answer_attach;
  uint32_t idle_timeout;
};

static inline void raw_listen(struct raw_peer *p)
{
  memset(p, 0, sizeof(*p));
  p->fd = -1;
  p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(p->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  struct sockaddr_in a;
  socklen_t len = sizeof(a);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(p->listen_fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(p->listen_fd, 5) != 0 ||
      getsockname(p->listen_fd, (struct sockaddr *)&a, &len) != 0) {
    printf("raw peer: cannot listen\n");
    exit(1);
  }
  fcntl(p->listen_fd, F_SETFL, O_NONBLOCK);
  p->port = ntohs(a.sin_port);
}

static inline void raw_write(struct raw_peer *p, const void *buf, size_t n)
{
  const char *b = buf;
  while (n > 0) {
    ssize_t w = send(p->fd, b, n, MSG_NOSIGNAL);
    if (w < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (w <= 0) return;
    b += w;
    n -= (size_t)w;
  }
}

/* Send performative `d` (a described list) as an AMQP frame on `channel`. */
static inline void raw_send_frame_payload(struct raw_peer *p, pn_data_t *d, int channel, const char *payload,
                                          size_t payload_size)
{
  static char buf[1 << 18];
  ssize_t n = pn_data_encode(d, buf + 8, sizeof(buf) - 8 - payload_size);
  if (n < 0) {
    printf("raw peer: encode failed %zd\n", n);
    return;
  }
  if (payload_size) memcpy(buf + 8 + n, payload, payload_size);
  uint32_t size = (uint32_t)(n + 8 + (ssize_t)payload_size);
  buf[0] = (char)(size >> 24);
  buf[1] = (char)(size >> 16);
  buf[2] = (char)(size >> 8);
  buf[3] = (char)size;
  buf[4] = 2; /* data offset in 4-byte words */
  buf[5] = 0; /* AMQP frame */
  buf[6] = (char)(channel >> 8);
  buf[7] = (char)channel;
  raw_write(p, buf, size);
}

/* Start a performative: described(code, list[...]) with the cursor inside the list. */
static inline pn_data_t *raw_begin_perf(uint64_t code)
{
  pn_data_t *d = pn_data(16);
  pn_data_put_described(d);
  pn_data_enter(d);
  pn_data_put_ulong(d, code);
  pn_data_put_list(d);
  pn_data_enter(d);
  return d;
}

static inline void raw_send_frame(struct raw_peer *p, pn_data_t *d, int channel)
{
  raw_send_frame_payload(p, d, channel, NULL, 0);
}

static inline void raw_end_perf(struct raw_peer *p, pn_data_t *d, int channel)
{
  pn_data_exit(d);
  pn_data_exit(d);
  raw_send_frame(p, d, channel);
  pn_data_free(d);
}

/* An error condition (described 0x1d list); info: redirect host and port, or none. */
static inline void raw_put_error(pn_data_t *d, const char *condition, const char *description,
                                 const char *redirect_host, int redirect_port)
{
  pn_data_put_described(d);
  pn_data_enter(d);
  pn_data_put_ulong(d, 0x1d);
  pn_data_put_list(d);
  pn_data_enter(d);
  pn_data_put_symbol(d, pn_bytes(strlen(condition), condition));
  pn_data_put_string(d, pn_bytes(strlen(description), description));
  if (redirect_host) {
    pn_data_put_map(d);
    pn_data_enter(d);
    pn_data_put_symbol(d, pn_bytes(12, "network-host"));
    pn_data_put_string(d, pn_bytes(strlen(redirect_host), redirect_host));
    pn_data_put_symbol(d, pn_bytes(4, "port"));
    pn_data_put_int(d, redirect_port);
    pn_data_exit(d);
  }
  pn_data_exit(d);
  pn_data_exit(d);
}

static inline void raw_send_header(struct raw_peer *p)
{
  raw_write(p, "AMQP\x00\x01\x00\x00", 8);
}

static inline void raw_send_open(struct raw_peer *p)
{
  pn_data_t *d = raw_begin_perf(P_OPEN);
  pn_data_put_string(d, pn_bytes(3, "raw"));
  pn_data_put_null(d); /* hostname */
  pn_data_put_null(d); /* max-frame-size */
  pn_data_put_null(d); /* channel-max */
  if (p->idle_timeout) pn_data_put_uint(d, p->idle_timeout);
  raw_end_perf(p, d, 0);
}

static inline void raw_send_begin(struct raw_peer *p)
{
  pn_data_t *d = raw_begin_perf(P_BEGIN);
  pn_data_put_ushort(d, (uint16_t)p->channel); /* remote-channel (ours is the same number) */
  pn_data_put_uint(d, 0);            /* next-outgoing-id */
  pn_data_put_uint(d, 0x7fffffff);   /* incoming-window */
  pn_data_put_uint(d, 0x7fffffff);   /* outgoing-window */
  raw_end_perf(p, d, p->channel);
}

/* Answer the messenger's last attach with the other role: as the receiving end with no
 * termini, or as the sending end with the configured source address. */
static inline void raw_send_attach(struct raw_peer *p)
{
  pn_data_t *d = raw_begin_perf(P_ATTACH);
  int i = p->nlinks - 1;
  int we_send = i >= 0 && p->links[i].receiver;
  pn_data_put_string(d, pn_bytes(strlen(p->attach_name), p->attach_name));
  pn_data_put_uint(d, (uint32_t)p->attach_handle);
  pn_data_put_bool(d, !we_send); /* role: true = receiver */
  if (we_send) {
    pn_data_put_null(d); /* snd-settle-mode */
    pn_data_put_null(d); /* rcv-settle-mode */
    const char *src = p->links[i].answer_source;
    if (src) {
      pn_data_put_described(d);
      pn_data_enter(d);
      pn_data_put_ulong(d, 0x28);
      pn_data_put_list(d);
      pn_data_enter(d);
      pn_data_put_string(d, pn_bytes(strlen(src), src));
      pn_data_exit(d);
      pn_data_exit(d);
    } else {
      pn_data_put_null(d);
    }
    pn_data_put_null(d); /* target */
    pn_data_put_null(d); /* unsettled */
    pn_data_put_bool(d, false); /* incomplete-unsettled */
    pn_data_put_uint(d, 0); /* initial-delivery-count */
  }
  raw_end_perf(p, d, p->attach_channel);
}

/* A transfer on link i (the peer sends): delivery id and tag, flags, and payload bytes. */
static inline void raw_send_transfer(struct raw_peer *p, int i, uint32_t id, bool first, bool settled, bool more,
                                     const char *payload, size_t size)
{
  pn_data_t *d = raw_begin_perf(P_TRANSFER);
  pn_data_put_uint(d, (uint32_t)p->links[i].handle);
  if (first) {
    char tag[4] = {(char)id, 0, 0, 0};
    pn_data_put_uint(d, id);
    pn_data_put_binary(d, pn_bytes(4, tag));
    pn_data_put_uint(d, 0); /* message-format */
  } else {
    pn_data_put_null(d);
    pn_data_put_null(d);
    pn_data_put_null(d);
  }
  pn_data_put_bool(d, settled);
  pn_data_put_bool(d, more);
  pn_data_exit(d);
  pn_data_exit(d);
  raw_send_frame_payload(p, d, p->links[i].channel, payload, size);
  pn_data_free(d);
}

static inline void raw_send_detach(struct raw_peer *p, const char *condition, const char *description)
{
  pn_data_t *d = raw_begin_perf(P_DETACH);
  pn_data_put_uint(d, (uint32_t)p->attach_handle);
  pn_data_put_bool(d, true); /* closed */
  raw_put_error(d, condition, description, NULL, 0);
  raw_end_perf(p, d, p->attach_channel);
}

static inline void raw_send_close(struct raw_peer *p, const char *condition, const char *description,
                                  const char *redirect_host, int redirect_port)
{
  pn_data_t *d = raw_begin_perf(P_CLOSE);
  if (condition) raw_put_error(d, condition, description, redirect_host, redirect_port);
  raw_end_perf(p, d, 0);
}

static inline const char *perf_name(uint64_t code)
{
  static const char *names[] = {"open", "begin", "attach", "flow", "transfer", "disposition", "detach", "end", "close"};
  return code >= P_OPEN && code <= P_CLOSE ? names[code - P_OPEN] : "?";
}

static inline void raw_on_frame(struct raw_peer *p, const char *body, size_t n)
{
  if (n == 0) return; /* an empty frame (heartbeat) */
  pn_data_t *d = pn_data(16);
  ssize_t used = pn_data_decode(d, body, n);
  uint64_t code = 0;
  pn_data_rewind(d);
  if (used > 0 && pn_data_next(d) && pn_data_type(d) == PN_DESCRIBED) {
    pn_data_enter(d);
    pn_data_next(d);
    code = pn_data_get_ulong(d);
    if (code == P_ATTACH) p->attach_channel = p->channel;
    if (code == P_ATTACH && pn_data_next(d) && pn_data_enter(d)) {
      if (pn_data_next(d) && pn_data_type(d) == PN_STRING) {
        pn_bytes_t b = pn_data_get_string(d);
        snprintf(p->attach_name, sizeof(p->attach_name), "%.*s", (int)b.size, b.start);
      }
      if (pn_data_next(d) && pn_data_type(d) == PN_UINT) p->attach_handle = (int)pn_data_get_uint(d);
      int receiver = pn_data_next(d) && pn_data_type(d) == PN_BOOL && pn_data_get_bool(d);
      if (p->nlinks < 8) {
        p->links[p->nlinks].handle = p->attach_handle;
        p->links[p->nlinks].channel = p->channel;
        p->links[p->nlinks].receiver = receiver;
        p->nlinks++;
      }
    }
    /* flow: [next-incoming-id, incoming-window, next-outgoing-id, outgoing-window, handle,
     * delivery-count, link-credit, available, drain, echo] */
    if (code == P_FLOW && pn_data_next(d) && pn_data_enter(d)) {
      for (int f = 0; f < 9 && pn_data_next(d); f++) {
        if (f == 6 && pn_data_type(d) == PN_UINT) p->flow_credit = pn_data_get_uint(d);
        if (f == 8) p->flow_drain = pn_data_type(d) == PN_BOOL && pn_data_get_bool(d);
      }
    }
    /* disposition: [role, first, last, settled, state] */
    if (code == P_DISPOSITION && pn_data_next(d) && pn_data_enter(d)) {
      uint32_t first = 0, last = 0;
      int settled = 0;
      uint64_t state = 0;
      int has_last = 0;
      for (int f = 0; f < 5 && pn_data_next(d); f++) {
        if (f == 1) first = pn_data_get_uint(d);
        if (f == 2 && pn_data_type(d) == PN_UINT) {
          last = pn_data_get_uint(d);
          has_last = 1;
        }
        if (f == 3) settled = pn_data_type(d) == PN_BOOL && pn_data_get_bool(d);
        if (f == 4 && pn_data_type(d) == PN_DESCRIBED) {
          pn_data_enter(d);
          pn_data_next(d);
          state = pn_data_get_ulong(d);
          pn_data_exit(d);
        }
      }
      if (!has_last) last = first;
      int li = -1;
      for (int k = 0; k < p->nlinks; k++)
        if (p->links[k].channel == p->channel) li = k;
      for (uint32_t id = first; li >= 0 && id <= last && id < 16; id++) {
        p->dispositions[li][id].seen++;
        if (settled) p->dispositions[li][id].settled = 1;
        if (state) p->dispositions[li][id].state = state;
      }
    }
  }
  pn_data_free(d);
  if (code >= P_OPEN && code <= P_CLOSE) p->count[code]++;
  /* Only the first of each kind goes to the log (flows and dispositions vary in number). */
  if (code < P_OPEN || code > P_CLOSE || p->count[code] == 1) {
    size_t l = strlen(p->log);
    snprintf(p->log + l, sizeof(p->log) - l, "%s%s", l ? " " : "", perf_name(code));
  }
  if (code == P_OPEN && p->answer_open) raw_send_open(p);
  if (code == P_BEGIN && p->answer_begin) raw_send_begin(p);
  if (code == P_ATTACH && p->answer_attach) raw_send_attach(p);
}

/* Accept a connection if none, read what is there, answer what the test enabled. */
static inline void raw_step(struct raw_peer *p)
{
  if (p->fd < 0) {
    int fd = accept(p->listen_fd, NULL, NULL);
    if (fd < 0) return;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    p->fd = fd;
    p->in_len = 0;
    p->header_seen = 0;
  }
  for (;;) {
    ssize_t r = recv(p->fd, p->in + p->in_len, sizeof(p->in) - p->in_len, 0);
    if (r <= 0) break;
    p->in_len += (size_t)r;
  }
  size_t off = 0;
  if (!p->header_seen && p->in_len >= 8) {
    p->header_seen = 1;
    off = 8;
    if (p->answer_open) raw_send_header(p);
  }
  while (p->header_seen && p->in_len - off >= 8) {
    const unsigned char *h = (const unsigned char *)p->in + off;
    uint32_t size = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    if (size < 8 || size > sizeof(p->in)) {
      printf("raw peer: bad frame size %u\n", size);
      p->in_len = 0;
      return;
    }
    if (p->in_len - off < size) break;
    size_t doff = (size_t)h[4] * 4;
    p->channel = h[6] << 8 | h[7];
    raw_on_frame(p, (const char *)h + doff, size - doff);
    off += size;
  }
  memmove(p->in, p->in + off, p->in_len - off);
  p->in_len -= off;
}

/* Drop the connection without a close frame. */
static inline void raw_drop(struct raw_peer *p)
{
  if (p->fd >= 0) close(p->fd);
  p->fd = -1;
}

static inline void raw_free(struct raw_peer *p)
{
  raw_drop(p);
  close(p->listen_fd);
}

/* Pump messenger m and the raw peer until cond, for at most 5 s. */
#define PUMP_RAW_UNTIL(m, peer, cond)                                              \
  do {                                                                             \
    double pump_t0_ = now_ms();                                                    \
    while (!(cond) && now_ms() - pump_t0_ < 5000) {                                \
      pn_messenger_work((m), 0);                                                   \
      raw_step(peer);                                                              \
    }                                                                              \
    if (!(cond)) printf("TIMEOUT waiting for %s\n", #cond);                        \
  } while (0)

static inline void pump_raw_rounds(pn_messenger_t *m, struct raw_peer *peer, int n)
{
  for (int i = 0; i < n; i++) {
    pn_messenger_work(m, 0);
    raw_step(peer);
  }
}

#endif
