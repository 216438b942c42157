/* A select() loop over the selectables of passive messengers (pn_messenger_selectable),
 * shared by the passive-mode programs in c-tests/diff/.
 *
 * loop_drain takes every selectable a messenger hands out, numbers the ones it has not seen
 * (per messenger: A1, A2, ..., B1, ...), registers them (so the messenger hands them out
 * again when their state changes) and releases the terminal ones.  loop_round drains every
 * messenger, select()s on the fds with the interest each selectable reports (and its
 * deadline), then tells the ready ones: readable, writable, expired.  Everything printed is
 * deterministic: kinds of fds (pipe, listener, socket), flags, and deadlines as "0" or
 * "set"; never an fd number or a pointer. */
#ifndef CTESTS_DIFF_MESSENGER_SELECTABLES_H
#define CTESTS_DIFF_MESSENGER_SELECTABLES_H

#include "messenger_common.h"

#include <proton/selectable.h>

#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>

#define LOOP_MAX_SELS 64
#define LOOP_MAX_MESSENGERS 4

struct loop_entry {
  pn_selectable_t *sel;
  int owner; /* index of the messenger */
  int id;    /* 1, 2, ... per messenger */
};

struct loop {
  pn_messenger_t *m[LOOP_MAX_MESSENGERS];
  char name[LOOP_MAX_MESSENGERS];
  int count;
  struct loop_entry e[LOOP_MAX_SELS];
  int n;
  int next_id[LOOP_MAX_MESSENGERS];
  int released[LOOP_MAX_MESSENGERS];
  /* Print each selectable handed out (loop_drain) and each readiness call (loop_round). */
  int verbose;
};

/* Wall-clock ms (the clock selectable deadlines use). */
static inline int64_t wall_ms(void)
{
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* What an fd is: "pipe", "listener" (a listening socket), "socket", "none" or "closed". */
static inline const char *fd_kind(int fd)
{
  struct stat st;
  if (fd < 0) return "none";
  if (fstat(fd, &st) != 0) return "closed";
  if (S_ISFIFO(st.st_mode)) return "pipe";
  if (S_ISSOCK(st.st_mode)) {
    int v = 0;
    socklen_t len = sizeof(v);
    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len);
    return v ? "listener" : "socket";
  }
  return "other";
}

/* "socket r=1 w=0 dl=0 reg=1 term=0" */
static inline void print_sel(pn_selectable_t *s)
{
  printf("%s r=%d w=%d dl=%s reg=%d term=%d", fd_kind(pn_selectable_get_fd(s)),
         pn_selectable_is_reading(s), pn_selectable_is_writing(s),
         pn_selectable_get_deadline(s) ? "set" : "0", pn_selectable_is_registered(s),
         pn_selectable_is_terminal(s));
}

static inline void loop_init(struct loop *L, int verbose)
{
  memset(L, 0, sizeof(*L));
  L->verbose = verbose;
}

/* Add messenger m, named by one letter. Returns its index. */
static inline int loop_add(struct loop *L, pn_messenger_t *m, char name)
{
  L->m[L->count] = m;
  L->name[L->count] = name;
  return L->count++;
}

static inline struct loop_entry *loop_find(struct loop *L, pn_selectable_t *s)
{
  for (int i = 0; i < L->n; i++)
    if (L->e[i].sel == s) return &L->e[i];
  return NULL;
}

/* Take every selectable messenger `who` hands out; returns how many. */
static inline int loop_drain(struct loop *L, int who)
{
  int count = 0;
  pn_selectable_t *s;
  while ((s = pn_messenger_selectable(L->m[who]))) {
    count++;
    struct loop_entry *e = loop_find(L, s);
    int is_new = !e;
    if (!e) {
      if (L->n == LOOP_MAX_SELS) {
        printf("too many selectables\n");
        exit(1);
      }
      e = &L->e[L->n++];
      e->sel = s;
      e->owner = who;
      e->id = ++L->next_id[who];
    }
    if (L->verbose) {
      printf("  %c%d %s: ", L->name[who], e->id, is_new ? "new" : "again");
      print_sel(s);
      printf("\n");
    }
    if (pn_selectable_is_terminal(s)) {
      int stopped_before = pn_messenger_stopped(L->m[who]);
      *e = L->e[--L->n];
      pn_selectable_release(s);
      L->released[who]++;
      if (L->verbose)
        printf("  released (stopped before=%d after=%d)\n", stopped_before,
               pn_messenger_stopped(L->m[who]));
    } else if (!pn_selectable_is_registered(s)) {
      pn_selectable_set_registered(s, true);
    }
  }
  return count;
}

/* One round: drain every messenger, wait up to timeout_ms (or the earliest deadline) for the
 * fds to be ready, and tell the ready selectables.  Returns the number of readiness calls. */
static inline int loop_round(struct loop *L, int timeout_ms)
{
  for (int i = 0; i < L->count; i++) loop_drain(L, i);
  fd_set rd, wr;
  FD_ZERO(&rd);
  FD_ZERO(&wr);
  int maxfd = -1;
  int64_t now = wall_ms(), wait = timeout_ms;
  for (int i = 0; i < L->n; i++) {
    pn_selectable_t *s = L->e[i].sel;
    int fd = pn_selectable_get_fd(s);
    if (fd < 0) continue;
    if (pn_selectable_is_reading(s)) FD_SET(fd, &rd);
    if (pn_selectable_is_writing(s)) FD_SET(fd, &wr);
    if (fd > maxfd) maxfd = fd;
    int64_t dl = pn_selectable_get_deadline(s);
    if (dl && dl - now < wait) wait = dl - now < 0 ? 0 : dl - now;
  }
  struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)((wait % 1000) * 1000)};
  if (select(maxfd + 1, &rd, &wr, NULL, &tv) < 0) {
    perror("select");
    exit(1);
  }
  /* Decide first, then call: a call may change the entries. */
  pn_selectable_t *ready[LOOP_MAX_SELS];
  int what[LOOP_MAX_SELS], k = 0;
  now = wall_ms();
  for (int i = 0; i < L->n; i++) {
    pn_selectable_t *s = L->e[i].sel;
    int fd = pn_selectable_get_fd(s);
    int64_t dl = pn_selectable_get_deadline(s);
    int w = (fd >= 0 && FD_ISSET(fd, &rd) ? 1 : 0) | (fd >= 0 && FD_ISSET(fd, &wr) ? 2 : 0) |
            (dl && dl <= now ? 4 : 0);
    if (w) {
      ready[k] = s;
      what[k++] = w;
    }
  }
  for (int i = 0; i < k; i++) {
    struct loop_entry *e = loop_find(L, ready[i]);
    if (L->verbose && e)
      printf("  %c%d%s%s%s\n", L->name[e->owner], e->id, what[i] & 1 ? " readable" : "",
             what[i] & 2 ? " writable" : "", what[i] & 4 ? " expired" : "");
    if (what[i] & 1) pn_selectable_readable(ready[i]);
    if (what[i] & 2) pn_selectable_writable(ready[i]);
    if (what[i] & 4) pn_selectable_expired(ready[i]);
  }
  return k;
}

/* Run rounds until cond holds, for at most 10 s; says so if it never did. */
#define LOOP_UNTIL(L, cond)                                                        \
  do {                                                                             \
    double loop_t0_ = now_ms();                                                    \
    while (!(cond) && now_ms() - loop_t0_ < 10000) loop_round((L), 50);            \
    if (!(cond)) printf("TIMEOUT waiting for %s\n", #cond);                        \
  } while (0)

#endif
