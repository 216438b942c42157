/* poll_loop.c: Messengers driven by the application's own poll() loop (passive mode).
 *
 * Usage: poll_loop [PORT]          (default 5673)
 *
 * Reads lines from stdin. Each line becomes a message that a sending messenger puts to a
 * receiving messenger listening on amqp://~127.0.0.1:PORT in the same process. One poll()
 * call waits on stdin and on every file descriptor the two messengers hand out; the
 * messengers themselves never block and never touch a socket on their own. The receiver
 * prints each message it gets and accepts it; the sender reads more input only while fewer
 * than WINDOW messages wait for their outcome. At the end of the input the program waits
 * until the sender has seen every message accepted, stops both messengers through the same
 * loop, and exits.
 *
 * Build: cc -o poll_loop poll_loop.c $(pkg-config --cflags --libs libqpid-proton)
 */
#define PN_USE_DEPRECATED_API 1 /* every messenger.h function is deprecated in 0.37 */

#include <proton/message.h>
#include <proton/messenger.h>
#include <proton/selectable.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_SELECTABLES 32
/* Messages in flight at most: stdin is read only while fewer are unconfirmed, so no tracker
 * leaves the sender's outgoing window before its outcome is seen. */
#define WINDOW 256

/* The selectables the loop watches. */
static pn_selectable_t *watched[MAX_SELECTABLES];
static int nwatched;

static void die(const char *what)
{
  fprintf(stderr, "poll_loop: %s\n", what);
  exit(1);
}

/* Take every selectable the messenger hands out: a new one joins the loop (registered, so
 * the messenger hands it out again whenever its interest changes); a terminal one leaves
 * the loop and is released, which closes its socket. */
static void take_selectables(pn_messenger_t *m)
{
  pn_selectable_t *sel;
  while ((sel = pn_messenger_selectable(m))) {
    int i = 0;
    while (i < nwatched && watched[i] != sel) i++;
    if (pn_selectable_is_terminal(sel)) {
      if (i < nwatched) watched[i] = watched[--nwatched];
      pn_selectable_release(sel);
    } else if (i == nwatched) {
      if (nwatched == MAX_SELECTABLES) die("too many selectables");
      pn_selectable_set_registered(sel, true);
      watched[nwatched++] = sel;
    }
  }
}

/* Wall-clock milliseconds: selectable deadlines use this clock. */
static pn_timestamp_t now_ms(void)
{
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (pn_timestamp_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* Print what has arrived and accept it. */
static void receive(pn_messenger_t *receiver, pn_message_t *msg)
{
  while (pn_messenger_incoming(receiver) > 0) {
    if (pn_messenger_get(receiver, msg) != 0) die("get failed");
    pn_data_t *body = pn_message_body(msg);
    pn_data_next(body);
    pn_bytes_t text = pn_data_get_string(body);
    printf("received: %.*s\n", (int)text.size, text.start);
    pn_messenger_accept(receiver, pn_messenger_incoming_tracker(receiver), 0);
  }
  pn_messenger_recv(receiver, -1); /* keep credit flowing (returns PN_INPROGRESS) */
}

/* Send one line of input. */
static void send_line(pn_messenger_t *sender, const char *address, const char *line)
{
  pn_message_t *msg = pn_message();
  pn_message_set_address(msg, address);
  pn_data_put_string(pn_message_body(msg), pn_bytes(strlen(line), line));
  if (pn_messenger_put(sender, msg) != 0) die(pn_error_text(pn_messenger_error(sender)));
  pn_message_free(msg);
}

int main(int argc, char **argv)
{
  const char *port = argc > 1 ? argv[1] : "5673";
  char listen_at[64], address[64];
  snprintf(listen_at, sizeof(listen_at), "amqp://~127.0.0.1:%s", port);
  snprintf(address, sizeof(address), "amqp://127.0.0.1:%s/lines", port);

  pn_messenger_t *receiver = pn_messenger("poll-loop-receiver");
  pn_messenger_t *sender = pn_messenger("poll-loop-sender");
  pn_messenger_set_passive(receiver, true);
  pn_messenger_set_passive(sender, true);
  pn_messenger_set_incoming_window(receiver, WINDOW);
  pn_messenger_set_outgoing_window(sender, WINDOW);
  if (!pn_messenger_subscribe(receiver, listen_at)) die(pn_error_text(pn_messenger_error(receiver)));
  pn_messenger_recv(receiver, -1);

  pn_message_t *msg = pn_message();
  pn_tracker_t first = 0;
  int sent = 0, confirmed = 0, input_open = 1, stopping = 0;
  char input[4096]; /* what was read from stdin and not sent yet */
  size_t fill = 0;

  for (;;) {
    take_selectables(receiver);
    take_selectables(sender);
    if (stopping && pn_messenger_stopped(receiver) && pn_messenger_stopped(sender)) break;

    /* Send the complete lines read so far (the last one at the end of input needs no
     * newline), as long as the window allows. */
    for (;;) {
      char *nl = memchr(input, '\n', fill);
      size_t len = nl ? (size_t)(nl - input) : fill;
      if (sent - confirmed >= WINDOW || !(nl || (!input_open && fill))) break;
      char text[sizeof(input)];
      memcpy(text, input, len);
      text[len] = '\0';
      send_line(sender, address, text);
      if (sent++ == 0) first = pn_messenger_outgoing_tracker(sender);
      size_t used = nl ? len + 1 : len;
      memmove(input, input + used, fill - used);
      fill -= used;
    }

    /* poll(): stdin (while open, when no complete line waits), and every selectable for
     * what it asks; the earliest deadline bounds the wait. */
    struct pollfd fds[MAX_SELECTABLES + 1];
    int n = 0, timeout = -1;
    int reading_input = input_open && !memchr(input, '\n', fill);
    if (reading_input) fds[n++] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
    pn_timestamp_t now = now_ms();
    for (int i = 0; i < nwatched; i++) {
      pn_selectable_t *sel = watched[i];
      short events = (pn_selectable_is_reading(sel) ? POLLIN : 0) |
                     (pn_selectable_is_writing(sel) ? POLLOUT : 0);
      fds[n++] = (struct pollfd){pn_selectable_get_fd(sel), events, 0};
      pn_timestamp_t deadline = pn_selectable_get_deadline(sel);
      if (deadline) {
        int wait = deadline > now ? (int)(deadline - now) : 0;
        if (timeout < 0 || wait < timeout) timeout = wait;
      }
    }
    if (poll(fds, (nfds_t)n, timeout) < 0) die("poll failed");

    int k = 0;
    if (reading_input) {
      if (fds[k].revents) {
        if (fill == sizeof(input)) die("line too long");
        ssize_t r = read(STDIN_FILENO, input + fill, sizeof(input) - fill);
        if (r <= 0) input_open = 0;
        else fill += (size_t)r;
      }
      k++;
    }
    /* Tell the messengers what is ready; copy first: a call may change the list. */
    pn_selectable_t *ready[MAX_SELECTABLES];
    short revents[MAX_SELECTABLES];
    int nready = 0;
    now = now_ms();
    for (int i = 0; i < nwatched; i++, k++) {
      pn_timestamp_t deadline = pn_selectable_get_deadline(watched[i]);
      if (fds[k].revents || (deadline && deadline <= now)) {
        ready[nready] = watched[i];
        revents[nready++] = fds[k].revents;
      }
    }
    for (int i = 0; i < nready; i++) {
      if (revents[i] & (POLLIN | POLLHUP | POLLERR)) pn_selectable_readable(ready[i]);
      if (revents[i] & POLLOUT) pn_selectable_writable(ready[i]);
      pn_timestamp_t deadline = pn_selectable_get_deadline(ready[i]);
      if (deadline && deadline <= now) pn_selectable_expired(ready[i]);
    }

    receive(receiver, msg);

    /* Outcomes, in order; a confirmed tracker is settled (it leaves the window). */
    while (confirmed < sent && pn_messenger_status(sender, first + confirmed) != PN_STATUS_PENDING) {
      if (pn_messenger_status(sender, first + confirmed) != PN_STATUS_ACCEPTED) die("not accepted");
      pn_messenger_settle(sender, first + confirmed, 0);
      confirmed++;
    }

    /* Input done and every message accepted: stop both, through this same loop. */
    if (!input_open && !stopping) {
      if (confirmed == sent) {
        printf("accepted: %d of %d\n", confirmed, sent);
        pn_messenger_stop(receiver); /* PN_INPROGRESS: the loop finishes the close */
        pn_messenger_stop(sender);
        stopping = 1;
      }
    }
  }
  printf("stopped\n");
  pn_message_free(msg);
  pn_messenger_free(receiver);
  pn_messenger_free(sender);
  return 0;
}
