/* amqps between two messengers in one process: every peer-authentication mode, trusted
 * certificates as a file and as a directory, encrypted keys, client certificates, listeners
 * that require TLS (amqps://~) or also take plain clients (amqp://~), SASL over TLS, and the
 * failures (bad paths, wrong key password, untrusted and wrong-name server certificates, a
 * listener without a certificate, a plain client on an amqps listener): what put, subscribe
 * and the trackers say, and that other connections keep working.
 *
 * Argument: the directory of scripts/gen-test-certs.sh.  Error texts are informational (the
 * words are OpenSSL's and differ between implementations); codes and statuses are compared. */
#include "messenger_common.h"

#include <proton/ssl.h>

#include <sys/wait.h>

static const char *certs;
static char paths[16][512];
static int npaths;

/* certs/<name> (NULL for NULL). */
static const char *cert(const char *name)
{
  if (!name) return NULL;
  char *p = paths[npaths++ % 16];
  snprintf(p, 512, "%s/%s", certs, name);
  return p;
}

static const char *password(void)
{
  static char pw[64];
  FILE *f = fopen(cert("key-password.txt"), "r");
  if (!f || !fgets(pw, sizeof(pw), f)) {
    printf("cannot read key-password.txt\n");
    exit(1);
  }
  fclose(f);
  return pw;
}

/* How one messenger is configured: file names in the certificate directory, or NULL. */
struct tls_cfg {
  const char *certificate, *key, *password, *trusted;
  int mode; /* -1: leave the default */
};

static void configure(pn_messenger_t *m, const struct tls_cfg *c)
{
  if (c->certificate) pn_messenger_set_certificate(m, cert(c->certificate));
  if (c->key) pn_messenger_set_private_key(m, cert(c->key));
  if (c->password) pn_messenger_set_password(m, c->password);
  if (c->trusted) pn_messenger_set_trusted_certificates(m, cert(c->trusted));
  if (c->mode >= 0) {
    int rc = pn_messenger_set_ssl_peer_authentication_mode(m, (pn_ssl_verify_mode_t)c->mode);
    if (rc) printf("set_ssl_peer_authentication_mode=%d\n", rc);
  }
}

static int is_final(pn_status_t s) { return s != PN_STATUS_PENDING && s != PN_STATUS_UNKNOWN; }

/* The error of a messenger: code compared (informational where `differs`: our library
 * also says why TLS or SASL failed, 0.37 leaves the error unset), text informational. */
static void show_error(const char *who, pn_messenger_t *m, int port, int differs)
{
  int e = pn_messenger_errno(m);
  printf("%s  %s errno=%s\n", differs ? INFO : "", who, pn_code(e));
  if (e) {
    printf(INFO "  %s text=", who);
    print_text_port(pn_error_text(pn_messenger_error(m)), port);
    printf("\n");
  }
}

/* A listener on <listen_scheme>://~127.0.0.1:PORT configured by srv, a client configured by
 * cli that puts one tracked message to <scheme>://<userinfo><host>:PORT/q; prints what
 * subscribe and put return, the tracker's final status, what arrived and both errors. */
static void scenario(const char *label, const char *listen_scheme, const struct tls_cfg *srv_cfg,
                     const char *scheme, const char *userinfo, const char *host,
                     const struct tls_cfg *cli_cfg, int fails)
{
  printf("%s\n", label);
  int port = free_port();
  pn_messenger_t *srv = pn_messenger("server");
  pn_messenger_t *cli = pn_messenger("client");
  configure(srv, srv_cfg);
  configure(cli, cli_cfg);
  pn_messenger_set_incoming_window(srv, 10);
  pn_messenger_set_outgoing_window(cli, 10);
  pn_messenger_set_blocking(srv, false);
  pn_messenger_set_blocking(cli, false);
  char url[256];
  snprintf(url, sizeof(url), "%s://~127.0.0.1:%d", listen_scheme, port);
  pn_subscription_t *sub = pn_messenger_subscribe(srv, url);
  printf("  subscribe %s\n", sub ? "ok" : "NULL");
  if (!sub) {
    show_error("server", srv, port, 0);
    pn_messenger_free(srv);
    pn_messenger_free(cli);
    return;
  }
  pn_messenger_recv(srv, 10);
  snprintf(url, sizeof(url), "%s://%s%s:%d/q", scheme, userinfo, host, port);
  pn_message_t *msg = make_message(url, NULL, label);
  int rc = pn_messenger_put(cli, msg);
  pn_tracker_t t = pn_messenger_outgoing_tracker(cli);
  printf("  put=%d(%s) status=%s outgoing=%d\n", rc, pn_code(rc), status_name(pn_messenger_status(cli, t)),
         pn_messenger_outgoing(cli));
  PUMP_UNTIL(cli, srv, is_final(pn_messenger_status(cli, t)) || pn_messenger_incoming(srv) > 0 ||
                           pn_messenger_stopped(cli));
  if (pn_messenger_incoming(srv) > 0) {
    pn_message_t *got = pn_message();
    pn_messenger_get(srv, got);
    pn_messenger_accept(srv, pn_messenger_incoming_tracker(srv), 0);
    printf("  received to=");
    print_text_port(pn_message_get_address(got), port);
    printf("\n");
    pn_message_free(got);
    PUMP_UNTIL(cli, srv, is_final(pn_messenger_status(cli, t)));
  }
  printf("  status=%s outgoing=%d client stopped=%d\n", status_name(pn_messenger_status(cli, t)),
         pn_messenger_outgoing(cli), pn_messenger_stopped(cli));
  show_error("client", cli, port, fails);
  show_error("server", srv, port, 0);
  pn_message_free(msg);
  stop_both(cli, srv);
  pn_messenger_free(cli);
  pn_messenger_free(srv);
}

/* One client, two amqps listeners: one whose certificate does not name the host fails, the
 * other keeps working (messages to both, interleaved). */
static void two_servers(const struct tls_cfg *cli_cfg)
{
  printf("one client, a good and a wrong-name server\n");
  const struct tls_cfg good_cfg = {"server.pem", "server.key", NULL, NULL, -1};
  const struct tls_cfg bad_cfg = {"wrong.pem", "wrong.key", NULL, NULL, -1};
  int good_port = free_port(), bad_port = free_port();
  pn_messenger_t *good = pn_messenger("good"), *bad = pn_messenger("bad"), *cli = pn_messenger("client");
  configure(good, &good_cfg);
  configure(bad, &bad_cfg);
  configure(cli, cli_cfg);
  pn_messenger_set_outgoing_window(cli, 10);
  pn_messenger_set_incoming_window(good, 10);
  pn_messenger_t *all[] = {good, bad, cli};
  for (int i = 0; i < 3; i++) pn_messenger_set_blocking(all[i], false);
  char url[128];
  snprintf(url, sizeof(url), "amqps://~127.0.0.1:%d", good_port);
  if (!pn_messenger_subscribe(good, url)) printf("  good subscribe failed\n");
  snprintf(url, sizeof(url), "amqps://~127.0.0.1:%d", bad_port);
  if (!pn_messenger_subscribe(bad, url)) printf("  bad subscribe failed\n");
  pn_messenger_recv(good, 10);
  pn_messenger_recv(bad, 10);
  pn_tracker_t t[4];
  for (int i = 0; i < 4; i++) {
    snprintf(url, sizeof(url), "amqps://127.0.0.1:%d/q", i % 2 ? bad_port : good_port);
    pn_message_t *msg = make_message(url, NULL, "m");
    pn_messenger_put(cli, msg);
    t[i] = pn_messenger_outgoing_tracker(cli);
    pn_message_free(msg);
  }
  PUMP_UNTIL(cli, good, (pn_messenger_work(bad, 0), pn_messenger_incoming(good) == 2 &&
                                                     is_final(pn_messenger_status(cli, t[1])) &&
                                                     is_final(pn_messenger_status(cli, t[3]))));
  pn_message_t *got = pn_message();
  while (pn_messenger_incoming(good) > 0 && pn_messenger_get(good, got) == 0)
    pn_messenger_accept(good, pn_messenger_incoming_tracker(good), 0);
  pn_message_free(got);
  PUMP_UNTIL(cli, good, is_final(pn_messenger_status(cli, t[0])) && is_final(pn_messenger_status(cli, t[2])));
  printf("  statuses good: %s %s, wrong-name: %s %s; bad received %d\n",
         status_name(pn_messenger_status(cli, t[0])), status_name(pn_messenger_status(cli, t[2])),
         status_name(pn_messenger_status(cli, t[1])), status_name(pn_messenger_status(cli, t[3])),
         pn_messenger_incoming(bad));
  show_error("client", cli, 0, 1);
  stop_both(cli, good);
  stop_both(bad, NULL);
  for (int i = 0; i < 3; i++) pn_messenger_free(all[i]);
}

/* ssl.h without a messenger: domains and their return codes. */
static void domains(void)
{
  printf("ssl domains\n");
  pn_ssl_domain_t *s = pn_ssl_domain(PN_SSL_MODE_SERVER);
  pn_ssl_domain_t *c = pn_ssl_domain(PN_SSL_MODE_CLIENT);
  printf("  domain(7)=%s\n", pn_ssl_domain((pn_ssl_mode_t)7) ? "non-NULL" : "NULL");
  printf("  credentials: no certificate=%d no key=%d key NULL=%d wrong password=%d ok=%d encrypted ok=%d\n",
         pn_ssl_domain_set_credentials(s, cert("no-such.pem"), cert("server.key"), NULL),
         pn_ssl_domain_set_credentials(s, cert("server.pem"), cert("no-such.key"), NULL),
         pn_ssl_domain_set_credentials(s, cert("server.pem"), NULL, NULL),
         pn_ssl_domain_set_credentials(s, cert("server.pem"), cert("server-enc.key"), "nope"),
         pn_ssl_domain_set_credentials(s, cert("server.pem"), cert("server.key"), NULL),
         pn_ssl_domain_set_credentials(s, cert("server.pem"), cert("server-enc.key"), password()));
  printf("  trusted: missing=%d file=%d directory=%d\n", pn_ssl_domain_set_trusted_ca_db(c, cert("no-such-ca.pem")),
         pn_ssl_domain_set_trusted_ca_db(c, cert("ca.pem")), pn_ssl_domain_set_trusted_ca_db(c, cert("cadir")));
  printf("  peer authentication: client name=%d peer=%d anonymous=%d null=%d 9=%d\n",
         pn_ssl_domain_set_peer_authentication(c, PN_SSL_VERIFY_PEER_NAME, NULL),
         pn_ssl_domain_set_peer_authentication(c, PN_SSL_VERIFY_PEER, NULL),
         pn_ssl_domain_set_peer_authentication(c, PN_SSL_ANONYMOUS_PEER, NULL),
         pn_ssl_domain_set_peer_authentication(c, PN_SSL_VERIFY_NULL, NULL),
         pn_ssl_domain_set_peer_authentication(c, (pn_ssl_verify_mode_t)9, NULL));
  printf("  peer authentication: server without CAs=%d with CAs=%d\n",
         pn_ssl_domain_set_peer_authentication(s, PN_SSL_VERIFY_PEER, NULL),
         pn_ssl_domain_set_peer_authentication(s, PN_SSL_VERIFY_PEER, cert("ca.pem")));
  printf("  protocols: SSLv3=%d empty=%d TLSv1.2 TLSv1.3=%d\n", pn_ssl_domain_set_protocols(c, "SSLv3"),
         pn_ssl_domain_set_protocols(c, ""), pn_ssl_domain_set_protocols(c, "TLSv1.2 TLSv1.3"));
  printf("  ciphers: NOPE=%d HIGH=%d\n", pn_ssl_domain_set_ciphers(c, "NOPE"), pn_ssl_domain_set_ciphers(c, "HIGH"));
  printf("  allow unsecured: client=%d server=%d\n", pn_ssl_domain_allow_unsecured_client(c),
         pn_ssl_domain_allow_unsecured_client(s));
  printf("  pn_ssl(NULL)=%s\n", pn_ssl(NULL) ? "non-NULL" : "NULL");
  pn_ssl_domain_free(s);
  pn_ssl_domain_free(c);
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    printf("usage: messenger_tls CERTDIR\n");
    return 2;
  }
  certs = argv[1];
  /* Given no password for an encrypted key, 0.37 (OpenSSL's default) asks the terminal or
   * stdin for one: run without a controlling terminal (a new session) and with stdin at its
   * end, so that it fails at once instead. */
  if (!freopen("/dev/null", "r", stdin)) return 3;
  if (setsid() < 0) {
    pid_t child = fork();
    if (child < 0) return 3;
    if (child > 0) {
      int status = 0;
      waitpid(child, &status, 0);
      return WIFEXITED(status) ? WEXITSTATUS(status) : 4;
    }
    setsid();
  }
  const char *pw = password();
  const struct tls_cfg none = {NULL, NULL, NULL, NULL, -1};
  const struct tls_cfg server = {"server.pem", "server.key", NULL, NULL, -1};
  const struct tls_cfg server_enc = {"server.pem", "server-enc.key", pw, NULL, -1};
  const struct tls_cfg server_enc_wrong = {"server.pem", "server-enc.key", "not-the-password", NULL, -1};
  const struct tls_cfg server_enc_nopw = {"server.pem", "server-enc.key", NULL, NULL, -1};
  const struct tls_cfg server_missing = {"no-such.pem", "server.key", NULL, NULL, -1};
  const struct tls_cfg wrong = {"wrong.pem", "wrong.key", NULL, NULL, -1};
  const struct tls_cfg rogue = {"rogue.pem", "rogue.key", NULL, NULL, -1};
  const struct tls_cfg trust = {NULL, NULL, NULL, "ca.pem", -1};
  const struct tls_cfg trust_dir = {NULL, NULL, NULL, "cadir", -1};
  const struct tls_cfg trust_missing = {NULL, NULL, NULL, "no-such-ca.pem", -1};
  const struct tls_cfg trust_peer = {NULL, NULL, NULL, "ca.pem", PN_SSL_VERIFY_PEER};
  const struct tls_cfg trust_name = {NULL, NULL, NULL, "ca.pem", PN_SSL_VERIFY_PEER_NAME};
  const struct tls_cfg trust_anon = {NULL, NULL, NULL, "ca.pem", PN_SSL_ANONYMOUS_PEER};
  const struct tls_cfg client = {"client.pem", "client.key", NULL, "ca.pem", -1};
  const struct tls_cfg client_enc = {"client.pem", "client-enc.key", pw, "ca.pem", -1};
  const struct tls_cfg client_enc_wrong = {"client.pem", "client-enc.key", "nope", "ca.pem", -1};
  const struct tls_cfg client_missing_key = {"client.pem", "no-such.key", NULL, "ca.pem", -1};

  printf("ssl present=%d\n", pn_ssl_present());

  /* Working combinations. */
  scenario("amqps, no trusted certificates (anonymous peer)", "amqps", &server, "amqps", "", "127.0.0.1", &none, 0);
  scenario("amqps, trusted CA file, default mode (peer name), by IP", "amqps", &server, "amqps", "", "127.0.0.1", &trust, 0);
  scenario("amqps, trusted CA file, default mode, by name", "amqps", &server, "amqps", "", "localhost", &trust, 0);
  scenario("amqps, trusted CA directory", "amqps", &server, "amqps", "", "127.0.0.1", &trust_dir, 0);
  scenario("amqps, VERIFY_PEER_NAME set explicitly", "amqps", &server, "amqps", "", "localhost", &trust_name, 0);
  scenario("amqps, server key encrypted, right password", "amqps", &server_enc, "amqps", "", "127.0.0.1", &trust, 0);
  scenario("amqps, client certificate", "amqps", &server, "amqps", "", "127.0.0.1", &client, 0);
  scenario("amqps, client certificate with an encrypted key", "amqps", &server, "amqps", "", "127.0.0.1", &client_enc, 0);
  scenario("amqps, SASL user over TLS", "amqps", &server, "amqps", "user@", "127.0.0.1", &trust, 0);
  scenario("amqps, SASL user and password over TLS", "amqps", &server, "amqps", "user:secret@", "127.0.0.1", &trust, 0);
  scenario("amqps, SASL user with a client certificate", "amqps", &server, "amqps", "user@", "127.0.0.1", &client, 0);
  scenario("amqp listener with a certificate, TLS client", "amqp", &server, "amqps", "", "127.0.0.1", &trust, 0);
  scenario("amqp listener with a certificate, plain client", "amqp", &server, "amqp", "", "127.0.0.1", &none, 0);
  scenario("wrong-name server, VERIFY_PEER", "amqps", &wrong, "amqps", "", "127.0.0.1", &trust_peer, 0);
  scenario("untrusted server, ANONYMOUS_PEER with trusted certificates", "amqps", &rogue, "amqps", "", "127.0.0.1", &trust_anon, 0);
  /* No certificate on the listener: anonymous TLS, as 0.37 allows it for clients that
   * verify nothing. */
  scenario("amqps listener without a certificate", "amqps", &none, "amqps", "", "127.0.0.1", &none, 0);
  scenario("amqp listener without a certificate, TLS client", "amqp", &none, "amqps", "", "127.0.0.1", &none, 0);

  /* Failures. */
  scenario("wrong-name server, default mode", "amqps", &wrong, "amqps", "", "127.0.0.1", &trust, 1);
  scenario("wrong-name server, by name", "amqps", &wrong, "amqps", "", "localhost", &trust_name, 1);
  scenario("untrusted server, default mode", "amqps", &rogue, "amqps", "", "127.0.0.1", &trust, 1);
  scenario("untrusted server, VERIFY_PEER", "amqps", &rogue, "amqps", "", "127.0.0.1", &trust_peer, 1);
  scenario("server key encrypted, wrong password", "amqps", &server_enc_wrong, "amqps", "", "127.0.0.1", &trust, 0);
  scenario("server key encrypted, no password", "amqps", &server_enc_nopw, "amqps", "", "127.0.0.1", &trust, 0);
  scenario("server certificate missing", "amqps", &server_missing, "amqps", "", "127.0.0.1", &trust, 0);
  scenario("amqps listener, plain client", "amqps", &server, "amqp", "", "127.0.0.1", &none, 0);
  scenario("trusted certificates missing", "amqps", &server, "amqps", "", "127.0.0.1", &trust_missing, 1);
  scenario("client key missing", "amqps", &server, "amqps", "", "127.0.0.1", &client_missing_key, 1);
  scenario("client key encrypted, wrong password", "amqps", &server, "amqps", "", "127.0.0.1", &client_enc_wrong, 1);

  two_servers(&trust);
  domains();
  return 0;
}
