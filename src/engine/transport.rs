//! One connection's byte stream: the AMQP [`Connection`] alone, or with TLS ([`Tls`]) below
//! it. A server can also let the first byte decide: a TLS handshake record starts TLS,
//! anything else is plain AMQP (proton's "allow unsecured client"); or it can require TLS.
//!
//! `Transport` dereferences to its [`Connection`] for everything that is not about bytes.
//! The byte methods ([`Transport::handle_input`], [`Transport::handle_eof`],
//! [`Transport::poll_output`], [`Transport::consume_output`], [`Transport::has_output`],
//! [`Transport::is_closed`]) are its own and go through TLS, so a driver uses a `Transport`
//! exactly as it would use a `Connection`.
//!
//! With TLS, no AMQP byte is taken from the connection before the handshake is done: a
//! delivery is written only once the peer is authenticated, so a failed handshake leaves
//! deliveries unwritten (a messenger reports them ABORTED).

use super::connection::{condition, Connection};
use super::sasl::ServerPolicy;
use super::tls::{Input, Tls};
use std::time::Instant;

/// At most this many plain bytes are encrypted per [`Transport::poll_output`].
const ENCRYPT_CHUNK: usize = 256 * 1024;

/// The first byte of a TLS handshake record.
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

enum Layer {
    Plain,
    /// A server before the client's first byte: TLS (this prepared state) or, if
    /// `require_tls` is false, plain AMQP.
    Detect {
        tls: Box<Tls>,
        require_tls: bool,
    },
    Tls(Box<Tls>),
}

/// A connection and the byte layers below it.
pub struct Transport {
    conn: Connection,
    layer: Layer,
    /// Plain bytes on their way from TLS to the connection (reused).
    plain: Vec<u8>,
    /// The latest time a caller gave; plain bytes TLS takes count as written then.
    now: Option<Instant>,
    /// Why the connection failed below AMQP (TLS, or a client without TLS where it is
    /// required).
    layer_error: Option<String>,
}

impl std::ops::Deref for Transport {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl std::ops::DerefMut for Transport {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Transport {
    /// Plain AMQP.
    pub fn plain(conn: Connection) -> Transport {
        Transport::with_layer(conn, Layer::Plain)
    }

    /// AMQP over TLS (a client's, or a server that requires TLS).
    pub fn tls(conn: Connection, tls: Tls) -> Transport {
        Transport::with_layer(conn, Layer::Tls(Box::new(tls)))
    }

    /// A server that lets the client's first byte choose between TLS (`tls`) and plain
    /// AMQP; with `require_tls`, a client that does not start TLS is refused.
    pub fn detect(conn: Connection, tls: Tls, require_tls: bool) -> Transport {
        Transport::with_layer(
            conn,
            Layer::Detect {
                tls: Box::new(tls),
                require_tls,
            },
        )
    }

    fn with_layer(conn: Connection, layer: Layer) -> Transport {
        Transport {
            conn,
            layer,
            plain: Vec::new(),
            now: None,
            layer_error: None,
        }
    }

    /// The connection's TLS state, if it runs over TLS.
    pub fn tls_state(&self) -> Option<&Tls> {
        match &self.layer {
            Layer::Tls(t) => Some(t),
            _ => None,
        }
    }

    /// Why TLS, or SASL, refused this connection: for the application's error.
    pub fn security_failure(&self) -> Option<String> {
        if let Some(e) = &self.layer_error {
            return Some(e.clone());
        }
        self.conn
            .error()
            .filter(|e| e.condition == condition::UNAUTHORIZED_ACCESS)
            .map(|e| e.description.clone().unwrap_or_else(|| e.condition.clone()))
    }

    /// Bytes from the peer.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) {
        self.now = Some(now);
        if bytes.is_empty() {
            return;
        }
        if let Layer::Detect { require_tls, .. } = &self.layer {
            let require_tls = *require_tls;
            let Layer::Detect { tls, .. } = std::mem::replace(&mut self.layer, Layer::Plain) else {
                unreachable!("matched above")
            };
            if bytes[0] == TLS_HANDSHAKE_RECORD {
                self.layer = Layer::Tls(tls);
            } else if require_tls {
                self.fail_layer("the client did not start TLS, which this listener requires");
                return;
            }
        }
        match &mut self.layer {
            Layer::Plain | Layer::Detect { .. } => self.conn.handle_input(bytes, now),
            Layer::Tls(tls) => {
                tls.feed(bytes);
                self.pump_in(now);
            }
        }
    }

    /// The peer's byte stream ended.
    pub fn handle_eof(&mut self) {
        if let Layer::Tls(tls) = &mut self.layer {
            tls.feed_eof();
            let now = self.now.unwrap_or_else(Instant::now);
            self.pump_in(now);
        }
        self.conn.handle_eof();
    }

    /// Decrypt what TLS holds and hand it to the connection.
    fn pump_in(&mut self, now: Instant) {
        let Layer::Tls(tls) = &mut self.layer else {
            return;
        };
        if tls.failed() {
            return;
        }
        let result = tls.read(&mut self.plain);
        if let Ok(Input::HandshakeDone) = result {
            if let Some(identity) = tls.peer_identity() {
                // A verified client certificate: SASL EXTERNAL can use it.
                self.conn.set_sasl_policy(ServerPolicy {
                    external_identity: Some(identity),
                });
            }
        }
        if !self.plain.is_empty() {
            self.conn.handle_input(&self.plain, now);
            self.plain.clear();
        }
        match result {
            Ok(Input::Closed) => self.conn.handle_eof(),
            Ok(_) => {}
            Err(text) => self.fail_layer(&text),
        }
    }

    /// The layer below AMQP failed: so does the connection, and nothing more of it is sent
    /// (TLS still sends its alert).
    fn fail_layer(&mut self, text: &str) {
        if self.layer_error.is_none() {
            self.layer_error = Some(text.to_owned());
        }
        self.conn
            .fail_transport(condition::FRAMING_ERROR, format!("SSL Failure: {text}"));
        self.discard_connection_output();
    }

    fn discard_connection_output(&mut self) {
        let n = self.conn.poll_output().len();
        if n > 0 {
            let now = self.now.unwrap_or_else(Instant::now);
            self.conn.consume_output(n, now);
        }
    }

    /// The bytes ready to send (possibly empty); then [`Transport::consume_output`].
    pub fn poll_output(&mut self) -> &[u8] {
        let stranded = match &self.layer {
            // The connection failed before TLS could carry anything: nothing of it will go.
            Layer::Tls(tls) => tls.is_handshaking() && self.conn.error().is_some(),
            _ => false,
        };
        if self.layer_error.is_some() || stranded {
            self.discard_connection_output();
        } else if let Layer::Tls(tls) = &mut self.layer {
            if !tls.is_handshaking() && tls.output().is_empty() {
                let plain = self.conn.poll_output();
                let take = plain.len().min(ENCRYPT_CHUNK);
                match tls.write(&plain[..take]) {
                    Ok(0) => {}
                    Ok(n) => {
                        let now = self.now.unwrap_or_else(Instant::now);
                        self.conn.consume_output(n, now);
                    }
                    Err(text) => self.fail_layer(&text),
                }
            }
        }
        match &mut self.layer {
            Layer::Tls(tls) => {
                if !tls.failed() && !tls.is_handshaking() && self.conn.is_closed() {
                    // Everything AMQP had to say is out: close TLS too.
                    tls.shutdown();
                }
                tls.output()
            }
            _ => self.conn.poll_output(),
        }
    }

    /// `n` bytes of [`Transport::poll_output`] were sent.
    pub fn consume_output(&mut self, n: usize, now: Instant) {
        self.now = Some(now);
        match &mut self.layer {
            Layer::Tls(tls) => tls.consume(n),
            _ => self.conn.consume_output(n, now),
        }
    }

    /// Whether anything is waiting to be written.
    pub fn has_output(&mut self) -> bool {
        !self.poll_output().is_empty()
    }

    /// Nothing more will be read or written.
    pub fn is_closed(&self) -> bool {
        match &self.layer {
            Layer::Tls(tls) => {
                self.conn.is_closed()
                    && tls.output().is_empty()
                    && (tls.failed() || tls.is_handshaking() || tls.shutdown_sent())
            }
            _ => self.conn.is_closed(),
        }
    }
}
