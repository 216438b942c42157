//! TLS as a byte layer below the AMQP engine, on OpenSSL over memory buffers: cipher bytes
//! in and out, plain bytes to and from the AMQP connection. No socket, no clock inside.
//!
//! [`Domain`] is a TLS configuration shared by connections (proton's `pn_ssl_domain_t`): our
//! certificate and key, the trusted CAs and how the peer is verified. [`Tls`] is the TLS
//! state of one connection. What a messenger can observe follows proton-c 0.37:
//!
//! * a domain verifies nothing by default (`ANONYMOUS_PEER`) and then also accepts peers
//!   without a certificate (anonymous cipher suites), so a listener without a certificate
//!   still talks TLS to such clients, as 0.37's does;
//! * `VERIFY_PEER` requires a certificate chain to a trusted CA; `VERIFY_PEER_NAME` also
//!   requires the certificate to name the host the client connected to (OpenSSL's RFC 6125
//!   matching; an IP address must be in an IP entry, or, as 0.37 accepts it, written as a DNS
//!   entry or as the common name of a certificate without alternative names);
//! * a server can ask for an optional client certificate and note whether it verified (the
//!   messenger offers SASL EXTERNAL then);
//! * key files are never prompted for: an encrypted key needs the password.

use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{
    ErrorCode, ShutdownResult, Ssl, SslContext, SslContextBuilder, SslMethod, SslStream,
    SslVerifyMode, SslVersion,
};
use openssl::x509::verify::X509CheckFlags;
use openssl::x509::{X509NameRef, X509Ref, X509VerifyResult, X509};
use std::io::{self, Read, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Which end of the TLS handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Client,
    Server,
}

/// How the peer is authenticated (`pn_ssl_verify_mode_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verify {
    /// A certificate chain to a trusted CA.
    Peer,
    /// Nothing: any certificate, or none.
    AnonymousPeer,
    /// A trusted chain, and (clients) the certificate names the host.
    PeerName,
}

/// Certificate fingerprint algorithms (`pn_ssl_hash_alg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    Sha1,
    Sha256,
    Sha512,
    Md5,
}

/// Why [`Domain::set_credentials`] failed: which file, and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialsError {
    Certificate(String),
    Key(String),
}

impl std::fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CredentialsError::Certificate(t) | CredentialsError::Key(t) => f.write_str(t),
        }
    }
}

/// Our certificate (with its chain) and private key.
struct Identity {
    certificate: X509,
    chain: Vec<X509>,
    key: PKey<Private>,
}

/// Cipher suites when the peer need not authenticate: proton's choice, anonymous ones too.
const ANONYMOUS_CIPHERS: &str = "ALL:aNULL:!eNULL:@STRENGTH";

/// A TLS configuration for connections (`pn_ssl_domain_t`).
pub struct Domain {
    mode: Mode,
    identity: Option<Identity>,
    trusted: Option<PathBuf>,
    verify: Verify,
    /// Server, not verifying: still ask for a client certificate, and note whether it
    /// verified against `trusted` (never refusing the client for it).
    optional_client_certificate: bool,
    allow_unsecured: bool,
    ciphers: Option<String>,
    protocols: (Option<SslVersion>, Option<SslVersion>),
    /// Built on first use after a change.
    context: Option<SslContext>,
}

impl Domain {
    pub fn new(mode: Mode) -> Domain {
        Domain {
            mode,
            identity: None,
            trusted: None,
            verify: Verify::AnonymousPeer,
            optional_client_certificate: false,
            allow_unsecured: false,
            ciphers: None,
            protocols: (Some(SslVersion::TLS1_2), None),
            context: None,
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn verify(&self) -> Verify {
        self.verify
    }

    /// Whether a server also takes clients that do not speak TLS.
    pub fn allows_unsecured(&self) -> bool {
        self.allow_unsecured
    }

    /// Load our certificate (PEM, leaf first, then its chain) and private key (PEM, possibly
    /// encrypted with `password`; None: the key is in the certificate file).
    pub fn set_credentials(
        &mut self,
        certificate: &str,
        key: Option<&str>,
        password: Option<&str>,
    ) -> Result<(), CredentialsError> {
        let cert_error = CredentialsError::Certificate;
        let pem = read_file(certificate, "certificate").map_err(cert_error)?;
        let mut certs = X509::stack_from_pem(&pem).map_err(|e| {
            cert_error(format!(
                "cannot read certificate {certificate}: {}",
                reason(&e)
            ))
        })?;
        if certs.is_empty() {
            return Err(cert_error(format!("no certificate in {certificate}")));
        }
        let certificate_pem = pem;
        let (key_path, key_pem) = match key {
            Some(k) => (
                k,
                read_file(k, "private key").map_err(CredentialsError::Key)?,
            ),
            None => (certificate, certificate_pem),
        };
        // Never OpenSSL's default password prompt: no password is an empty one.
        let password = password.unwrap_or("").as_bytes().to_vec();
        let key = PKey::private_key_from_pem_callback(&key_pem, move |buf| {
            let n = password.len().min(buf.len());
            buf[..n].copy_from_slice(&password[..n]);
            Ok(n)
        })
        .map_err(|e| {
            let why = match reason(&e).as_str() {
                "bad decrypt" | "interrupted or cancelled" | "processing error" => {
                    "wrong password, or none given for an encrypted key".to_owned()
                }
                other => other.to_owned(),
            };
            CredentialsError::Key(format!("cannot read private key {key_path}: {why}"))
        })?;
        let certificate = certs.remove(0);
        let matches = certificate
            .public_key()
            .map(|public| public.public_eq(&key))
            .unwrap_or(false);
        if !matches {
            return Err(CredentialsError::Key(format!(
                "private key {key_path} does not belong to certificate {}",
                subject_text(certificate.subject_name())
            )));
        }
        self.identity = Some(Identity {
            certificate,
            chain: certs,
            key,
        });
        self.context = None;
        Ok(())
    }

    /// The CAs that peers' certificates must chain to: a PEM file, or a directory of
    /// hashed PEM files (`openssl rehash`).
    pub fn set_trusted_ca_db(&mut self, path: &str) -> Result<(), String> {
        let p = Path::new(path);
        let meta = std::fs::metadata(p)
            .map_err(|e| format!("cannot read trusted certificates {path}: {}", io_reason(&e)))?;
        if meta.is_file() {
            let pem = read_file(path, "trusted certificates")?;
            let certs = X509::stack_from_pem(&pem)
                .map_err(|e| format!("cannot read trusted certificates {path}: {}", reason(&e)))?;
            if certs.is_empty() {
                return Err(format!("no certificate in trusted certificates {path}"));
            }
        } else if std::fs::read_dir(p).is_err() {
            return Err(format!("cannot read trusted certificates directory {path}"));
        }
        self.trusted = Some(p.to_path_buf());
        self.context = None;
        Ok(())
    }

    /// How the peer is verified. A server that verifies needs `trusted` (the CAs it asks
    /// clients for); a client verifies against [`Domain::set_trusted_ca_db`] (without it,
    /// no peer can pass, as in 0.37).
    pub fn set_peer_authentication(
        &mut self,
        verify: Verify,
        trusted: Option<&str>,
    ) -> Result<(), String> {
        if let Some(t) = trusted {
            self.set_trusted_ca_db(t)?;
        } else if self.mode == Mode::Server && verify != Verify::AnonymousPeer {
            return Err("a server that verifies clients needs trusted certificates".into());
        }
        self.verify = verify;
        self.context = None;
        Ok(())
    }

    /// Server, `AnonymousPeer`: ask clients for a certificate anyway (see [`Tls::peer_identity`]).
    pub fn set_optional_client_certificate(&mut self, on: bool) {
        self.optional_client_certificate = on;
        self.context = None;
    }

    pub fn allow_unsecured_client(&mut self) -> Result<(), String> {
        if self.mode != Mode::Server {
            return Err("only a server can allow clients without TLS".into());
        }
        self.allow_unsecured = true;
        Ok(())
    }

    /// OpenSSL cipher list (TLS 1.2 and below).
    pub fn set_ciphers(&mut self, ciphers: &str) -> Result<(), String> {
        SslContextBuilder::new(SslMethod::tls())
            .and_then(|mut b| b.set_cipher_list(ciphers))
            .map_err(|e| format!("invalid cipher list \"{ciphers}\": {}", reason(&e)))?;
        self.ciphers = Some(ciphers.to_owned());
        self.context = None;
        Ok(())
    }

    /// Allowed protocol versions, space separated: `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`.
    pub fn set_protocols(&mut self, protocols: &str) -> Result<(), String> {
        let mut versions = Vec::new();
        for word in protocols.split_whitespace() {
            let v = match word {
                "TLSv1" => SslVersion::TLS1,
                "TLSv1.1" => SslVersion::TLS1_1,
                "TLSv1.2" => SslVersion::TLS1_2,
                "TLSv1.3" => SslVersion::TLS1_3,
                other => return Err(format!("unknown protocol \"{other}\"")),
            };
            versions.push(v);
        }
        let rank = |v: &SslVersion| {
            [
                SslVersion::TLS1,
                SslVersion::TLS1_1,
                SslVersion::TLS1_2,
                SslVersion::TLS1_3,
            ]
            .iter()
            .position(|x| x == v)
        };
        let min = versions.iter().min_by_key(|v| rank(v)).copied();
        let max = versions.iter().max_by_key(|v| rank(v)).copied();
        if min.is_none() {
            return Err("no protocol given".into());
        }
        self.protocols = (min, max);
        self.context = None;
        Ok(())
    }

    /// The OpenSSL context for this configuration (built once per change).
    fn context(&mut self) -> Result<SslContext, String> {
        if let Some(c) = &self.context {
            return Ok(c.clone());
        }
        let context = self
            .build()
            .map_err(|e| format!("TLS setup failed: {}", reason(&e)))?;
        self.context = Some(context.clone());
        Ok(context)
    }

    fn build(&self) -> Result<SslContext, openssl::error::ErrorStack> {
        let method = match self.mode {
            Mode::Client => SslMethod::tls_client(),
            Mode::Server => SslMethod::tls_server(),
        };
        let mut b = SslContextBuilder::new(method)?;
        b.set_min_proto_version(self.protocols.0)?;
        b.set_max_proto_version(self.protocols.1)?;
        if let Some(id) = &self.identity {
            b.set_certificate(&id.certificate)?;
            for c in &id.chain {
                b.add_extra_chain_cert(c.clone())?;
            }
            b.set_private_key(&id.key)?;
        }
        if let Some(t) = &self.trusted {
            if t.is_dir() {
                b.load_verify_locations(None, Some(t))?;
            } else {
                b.load_verify_locations(Some(t), None)?;
            }
        }
        // Without verification, anonymous suites are fine too (0.37 allows them, so that a
        // server needs no certificate); OpenSSL allows them only at security level 0.
        let anonymous = self.verify == Verify::AnonymousPeer
            && (self.mode == Mode::Client || self.identity.is_none());
        match &self.ciphers {
            Some(c) => b.set_cipher_list(c)?,
            None if anonymous => {
                b.set_cipher_list(ANONYMOUS_CIPHERS)?;
                b.set_security_level(0);
            }
            None => {}
        }
        if self.mode == Mode::Server {
            // Needed for session resumption once client certificates are asked for.
            b.set_session_id_context(b"qpid-proton-rs")?;
        }
        b.set_verify(SslVerifyMode::NONE);
        Ok(b.build())
    }
}

/// The bytes between OpenSSL and the socket.
#[derive(Default)]
struct Pipe {
    /// Cipher bytes from the peer, not yet read by OpenSSL (from `in_pos`).
    incoming: Vec<u8>,
    in_pos: usize,
    /// The peer closed its side.
    eof: bool,
    /// Cipher bytes for the peer (from `out_pos`).
    outgoing: Vec<u8>,
    out_pos: usize,
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = &self.incoming[self.in_pos..];
        if available.is_empty() {
            return if self.eof {
                Ok(0)
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            };
        }
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.in_pos += n;
        if self.in_pos == self.incoming.len() {
            self.incoming.clear();
            self.in_pos = 0;
        }
        Ok(n)
    }
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.outgoing.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Handshaking,
    Open,
    /// The peer sent close_notify, or its byte stream ended.
    Closed,
    Failed,
}

/// What reading from TLS gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// More cipher bytes are needed (plain bytes, if any, were appended).
    More,
    /// The handshake finished in this call (plain bytes may follow in the same call).
    HandshakeDone,
    /// The peer closed TLS (close_notify or end of stream); nothing more will come.
    Closed,
}

/// The TLS state of one connection.
pub struct Tls {
    stream: SslStream<Pipe>,
    mode: Mode,
    state: State,
    error: Option<String>,
    peer_host: Option<String>,
    /// Server asking for an optional certificate: the chain failed to verify.
    client_chain_failed: Option<Arc<AtomicBool>>,
    shutdown_sent: bool,
    /// Some plain byte came from the peer.
    plain_seen: bool,
}

impl Tls {
    /// A client connection to `host` (verified per the domain's mode, and sent as SNI when
    /// it is a name), or a server connection (`host` None).
    pub fn new(domain: &mut Domain, host: Option<&str>) -> Result<Tls, String> {
        let context = domain.context()?;
        let mut ssl =
            Ssl::new(&context).map_err(|e| format!("TLS setup failed: {}", reason(&e)))?;
        let mut client_chain_failed = None;
        let verifying = domain.verify != Verify::AnonymousPeer;
        match domain.mode {
            Mode::Client => {
                let ip = host.and_then(|h| h.parse::<IpAddr>().ok());
                if let (Some(h), None) = (host, ip) {
                    // SNI: only names, never address literals (RFC 6066).
                    ssl.set_hostname(h)
                        .map_err(|e| format!("TLS setup failed: {}", reason(&e)))?;
                }
                if verifying {
                    let mut check_ip = None;
                    if domain.verify == Verify::PeerName {
                        let h = host.ok_or("peer name verification needs a host name")?;
                        let param = ssl.param_mut();
                        match ip {
                            Some(ip) => {
                                param.set_ip(ip).map_err(|e| reason(&e))?;
                                check_ip = Some(h.to_owned());
                            }
                            None => {
                                param.set_hostflags(X509CheckFlags::NO_PARTIAL_WILDCARDS);
                                param.set_host(h).map_err(|e| reason(&e))?;
                            }
                        }
                    }
                    ssl.set_verify_callback(SslVerifyMode::PEER, move |ok, ctx| {
                        if ok {
                            return true;
                        }
                        // 0.37 compatibility: an address literal written as a DNS name or
                        // as the common name (only an IP mismatch is forgiven, nothing else).
                        let forgiven = check_ip.as_deref().is_some_and(|literal| {
                            ctx.error_depth() == 0
                                && ctx.error().as_raw() == IP_ADDRESS_MISMATCH
                                && ctx
                                    .current_cert()
                                    .is_some_and(|c| names_literal(c, literal))
                        });
                        if forgiven {
                            ctx.set_error(X509VerifyResult::OK);
                        }
                        forgiven
                    });
                }
            }
            Mode::Server => {
                if verifying {
                    ssl.set_verify(SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT);
                } else if domain.optional_client_certificate && domain.trusted.is_some() {
                    let failed = Arc::new(AtomicBool::new(false));
                    let mark = failed.clone();
                    ssl.set_verify_callback(SslVerifyMode::PEER, move |ok, _| {
                        if !ok {
                            mark.store(true, Ordering::Relaxed);
                        }
                        true
                    });
                    client_chain_failed = Some(failed);
                }
            }
        }
        match domain.mode {
            Mode::Client => ssl.set_connect_state(),
            Mode::Server => ssl.set_accept_state(),
        }
        let stream = SslStream::new(ssl, Pipe::default())
            .map_err(|e| format!("TLS setup failed: {}", reason(&e)))?;
        let mut tls = Tls {
            stream,
            mode: domain.mode,
            state: State::Handshaking,
            error: None,
            peer_host: host.map(str::to_owned),
            client_chain_failed,
            shutdown_sent: false,
            plain_seen: false,
        };
        if tls.mode == Mode::Client {
            // The ClientHello goes out first.
            tls.handshake();
        }
        Ok(tls)
    }

    /// Cipher bytes from the peer.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.stream.get_mut().incoming.extend_from_slice(bytes);
    }

    /// The peer's byte stream ended.
    pub fn feed_eof(&mut self) {
        self.stream.get_mut().eof = true;
    }

    /// Advance the handshake and decrypt what has arrived, appending plain bytes to `plain`.
    pub fn read(&mut self, plain: &mut Vec<u8>) -> Result<Input, String> {
        let mut result = Input::More;
        if self.state == State::Handshaking {
            if !self.handshake() {
                return match self.state {
                    State::Failed => Err(self.error.clone().unwrap_or_default()),
                    _ => Ok(Input::More),
                };
            }
            result = Input::HandshakeDone;
        }
        if self.state != State::Open {
            return match self.state {
                State::Failed => Err(self.error.clone().unwrap_or_default()),
                _ => Ok(Input::Closed),
            };
        }
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.stream.ssl_read(&mut chunk) {
                Ok(n) => {
                    self.plain_seen |= n > 0;
                    plain.extend_from_slice(&chunk[..n]);
                }
                Err(e) => match e.code() {
                    ErrorCode::WANT_READ => break,
                    _ if self.mode == Mode::Client && !self.plain_seen && self.input_ended() => {
                        // An AMQP server always speaks first after TLS; one that hangs up
                        // instead refused us (proton, for one, drops a client that gave no
                        // certificate without a TLS alert).
                        self.state = State::Failed;
                        let text = "TLS failed: the server closed the connection right after \
                                    the TLS handshake (does it require a client certificate?)";
                        self.error = Some(text.into());
                        return Err(text.into());
                    }
                    ErrorCode::ZERO_RETURN => {
                        self.state = State::Closed;
                        return Ok(Input::Closed);
                    }
                    // The stream ended without close_notify: treated as a close (the AMQP
                    // layer sees its own end of stream and judges it).
                    _ if self.input_ended() => {
                        self.state = State::Closed;
                        return Ok(Input::Closed);
                    }
                    _ => return Err(self.fail(&e)),
                },
            }
        }
        Ok(result)
    }

    /// Run the handshake as far as the input allows; true once it is done.
    fn handshake(&mut self) -> bool {
        match self.stream.do_handshake() {
            Ok(()) => {
                self.state = State::Open;
                true
            }
            Err(e) if e.code() == ErrorCode::WANT_READ || e.code() == ErrorCode::WANT_WRITE => {
                false
            }
            Err(e) => {
                self.fail(&e);
                false
            }
        }
    }

    /// The peer's byte stream ended and everything it sent has been read.
    fn input_ended(&self) -> bool {
        let p = self.stream.get_ref();
        p.eof && p.in_pos >= p.incoming.len()
    }

    fn peer_word(&self) -> &'static str {
        match self.mode {
            Mode::Client => "server",
            Mode::Server => "client",
        }
    }

    /// Record a failure; returns its text.
    fn fail(&mut self, e: &openssl::ssl::Error) -> String {
        let during = if self.state == State::Handshaking {
            "TLS handshake failed"
        } else {
            "TLS failed"
        };
        self.state = State::Failed;
        let verify = self.stream.ssl().verify_result();
        let text = if verify != X509VerifyResult::OK && self.mode == Mode::Client {
            let mut t = format!(
                "{during}: certificate verify failed: {}",
                verify.error_string()
            );
            if let Some(h) = &self.peer_host {
                if verify.as_raw() == HOSTNAME_MISMATCH || verify.as_raw() == IP_ADDRESS_MISMATCH {
                    t.push_str(&format!(" (the server's certificate does not name {h})"));
                }
            }
            t
        } else if self.input_ended() && !has_alert(e) {
            format!("{during}: the {} closed the connection", self.peer_word())
        } else if let Some(stack) = e.ssl_error() {
            format!("{during}: {}", reason(stack))
        } else {
            format!("{during}: {e}")
        };
        self.error = Some(text.clone());
        text
    }

    /// Encrypt plain bytes (once the handshake is done, also after the peer's close_notify:
    /// TLS 1.3 closes each direction on its own); returns how many were taken.
    pub fn write(&mut self, plain: &[u8]) -> Result<usize, String> {
        if !matches!(self.state, State::Open | State::Closed) || plain.is_empty() {
            return Ok(0);
        }
        match self.stream.ssl_write(plain) {
            Ok(n) => Ok(n),
            Err(e) if e.code() == ErrorCode::WANT_READ || e.code() == ErrorCode::WANT_WRITE => {
                Ok(0)
            }
            Err(e) => Err(self.fail(&e)),
        }
    }

    /// Send close_notify (once, after the handshake).
    pub fn shutdown(&mut self) {
        if self.shutdown_sent {
            return;
        }
        self.shutdown_sent = true;
        if matches!(self.state, State::Open | State::Closed) {
            let _: Result<ShutdownResult, _> = self.stream.shutdown();
        }
    }

    /// Cipher bytes to send.
    pub fn output(&self) -> &[u8] {
        let p = self.stream.get_ref();
        &p.outgoing[p.out_pos..]
    }

    /// `n` bytes of [`Tls::output`] were sent.
    pub fn consume(&mut self, n: usize) {
        let p = self.stream.get_mut();
        p.out_pos = (p.out_pos + n).min(p.outgoing.len());
        if p.out_pos == p.outgoing.len() {
            p.outgoing.clear();
            p.out_pos = 0;
        }
    }

    pub fn is_open(&self) -> bool {
        self.state == State::Open
    }

    pub fn is_handshaking(&self) -> bool {
        self.state == State::Handshaking
    }

    pub fn failed(&self) -> bool {
        self.state == State::Failed
    }

    pub fn shutdown_sent(&self) -> bool {
        self.shutdown_sent
    }

    /// Why TLS failed, if it did.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The host this client connects to (`pn_ssl_get_peer_hostname`).
    pub fn peer_host(&self) -> Option<&str> {
        self.peer_host.as_deref()
    }

    /// The identity of a peer whose certificate verified: its subject (RFC 2253). Servers
    /// use it for SASL EXTERNAL.
    pub fn peer_identity(&self) -> Option<String> {
        if self.state != State::Open {
            return None;
        }
        let cert = self.stream.ssl().peer_certificate()?;
        let verified = match &self.client_chain_failed {
            Some(failed) => !failed.load(Ordering::Relaxed),
            None => {
                self.mode == Mode::Server
                    && self
                        .stream
                        .ssl()
                        .verify_mode()
                        .contains(SslVerifyMode::PEER)
                    && self.stream.ssl().verify_result() == X509VerifyResult::OK
            }
        };
        verified.then(|| subject_text(cert.subject_name()))
    }

    /// `pn_ssl_get_cipher_name`.
    pub fn cipher_name(&self) -> Option<&str> {
        self.is_open()
            .then(|| self.stream.ssl().current_cipher())
            .flatten()
            .map(|c| c.name())
    }

    /// `pn_ssl_get_protocol_name`.
    pub fn protocol_name(&self) -> Option<&str> {
        self.is_open().then(|| self.stream.ssl().version_str())
    }

    /// `pn_ssl_get_ssf`: the cipher's secret bits (0 without TLS).
    pub fn ssf(&self) -> i32 {
        self.is_open()
            .then(|| self.stream.ssl().current_cipher())
            .flatten()
            .map_or(0, |c| c.bits().secret)
    }

    /// `pn_ssl_get_remote_subject`.
    pub fn remote_subject(&self) -> Option<String> {
        let cert = self.stream.ssl().peer_certificate()?;
        Some(subject_text(cert.subject_name()))
    }

    /// `pn_ssl_get_remote_subject_subfield`: field 0..5 = C, ST, L, O, OU, CN.
    pub fn remote_subject_field(&self, field: i32) -> Option<String> {
        let nid = match field {
            0 => Nid::COUNTRYNAME,
            1 => Nid::STATEORPROVINCENAME,
            2 => Nid::LOCALITYNAME,
            3 => Nid::ORGANIZATIONNAME,
            4 => Nid::ORGANIZATIONALUNITNAME,
            5 => Nid::COMMONNAME,
            _ => return None,
        };
        let cert = self.stream.ssl().peer_certificate()?;
        let entry = cert.subject_name().entries_by_nid(nid).next()?;
        entry.data().to_string().ok()
    }

    /// `pn_ssl_get_cert_fingerprint`: lower-case hex of the peer certificate's digest.
    pub fn fingerprint(&self, hash: Hash) -> Option<String> {
        let cert = self.stream.ssl().peer_certificate()?;
        let md = match hash {
            Hash::Sha1 => MessageDigest::sha1(),
            Hash::Sha256 => MessageDigest::sha256(),
            Hash::Sha512 => MessageDigest::sha512(),
            Hash::Md5 => MessageDigest::md5(),
        };
        let digest = cert.digest(md).ok()?;
        Some(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// Whether OpenSSL failed because the peer sent an alert (its reason says why).
fn has_alert(e: &openssl::ssl::Error) -> bool {
    e.ssl_error().is_some_and(|s| {
        s.errors()
            .iter()
            .any(|x| x.reason().is_some_and(|r| r.contains("alert")))
    })
}

/// X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH.
const HOSTNAME_MISMATCH: i32 = 62;
const IP_ADDRESS_MISMATCH: i32 = 64;

/// Whether a certificate names the address literal as a DNS entry, or (without DNS entries)
/// as its common name.
fn names_literal(cert: &X509Ref, literal: &str) -> bool {
    let dns: Vec<String> = cert
        .subject_alt_names()
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.dnsname().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if !dns.is_empty() {
        return dns.iter().any(|d| d == literal);
    }
    cert.subject_name()
        .entries_by_nid(Nid::COMMONNAME)
        .any(|e| e.data().as_slice() == literal.as_bytes())
}

/// A subject as RFC 2253 text (most specific first): `CN=client,O=Example`.
pub fn subject_text(name: &X509NameRef) -> String {
    let mut parts: Vec<String> = name
        .entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?").to_owned();
            let value = e
                .data()
                .to_string()
                .unwrap_or_else(|_| String::from_utf8_lossy(e.data().as_slice()).into_owned());
            format!("{key}={}", escape_rdn(&value))
        })
        .collect();
    parts.reverse();
    parts.join(",")
}

fn escape_rdn(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for (i, c) in v.chars().enumerate() {
        let edge = (i == 0 && (c == ' ' || c == '#')) || (i + 1 == v.chars().count() && c == ' ');
        if edge || matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn read_file(path: &str, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {what} {path}: {}", io_reason(&e)))
}

/// An I/O error in the system's words (without Rust's " (os error N)").
fn io_reason(e: &io::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" (os error ") {
        Some((plain, _)) => plain.to_owned(),
        None => text,
    }
}

/// The first reason OpenSSL gives (e.g. "bad decrypt"), or the whole stack.
fn reason(stack: &openssl::error::ErrorStack) -> String {
    stack
        .errors()
        .iter()
        .find_map(|e| e.reason().map(str::to_owned))
        .unwrap_or_else(|| {
            let text = stack.to_string();
            if text.is_empty() {
                "unknown OpenSSL error".into()
            } else {
                text
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rdn_escaping() {
        assert_eq!(escape_rdn("a,b"), "a\\,b");
        assert_eq!(escape_rdn(" x "), "\\ x\\ ");
        assert_eq!(escape_rdn("#1"), "\\#1");
        assert_eq!(escape_rdn("plain"), "plain");
    }

    #[test]
    fn protocols_parse() {
        let mut d = Domain::new(Mode::Client);
        d.set_protocols("TLSv1.3 TLSv1.2").unwrap();
        assert_eq!(
            d.protocols,
            (Some(SslVersion::TLS1_2), Some(SslVersion::TLS1_3))
        );
        assert!(d.set_protocols("SSLv3").is_err());
        assert!(d.set_protocols("").is_err());
    }

    #[test]
    fn missing_files_are_clear_errors() {
        let mut d = Domain::new(Mode::Server);
        let e = d
            .set_credentials("/no/such/cert.pem", Some("/no/such/key.pem"), None)
            .unwrap_err();
        assert_eq!(
            e,
            CredentialsError::Certificate(
                "cannot read certificate /no/such/cert.pem: No such file or directory".into()
            )
        );
        let e = d.set_trusted_ca_db("/no/such/ca.pem").unwrap_err();
        assert_eq!(
            e,
            "cannot read trusted certificates /no/such/ca.pem: No such file or directory"
        );
        assert!(d.set_peer_authentication(Verify::Peer, None).is_err());
        let mut client = Domain::new(Mode::Client);
        assert!(client
            .set_peer_authentication(Verify::PeerName, None)
            .is_ok());
    }
}
