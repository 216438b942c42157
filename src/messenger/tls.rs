//! The messenger's TLS configuration (API.md 3.10), as 0.37 applies it:
//!
//! * outgoing `amqps` connections: our certificate, key and password if a certificate is
//!   set; with trusted certificates, the peer is verified per
//!   `pn_messenger_set_ssl_peer_authentication_mode` (default `VERIFY_PEER_NAME`, the host
//!   of the address as the name, also sent as SNI); without, nothing is verified;
//! * listeners: our certificate and key if set; `amqps://~` requires TLS, `amqp://~` takes
//!   TLS and plain clients. Beyond 0.37: with trusted certificates set, a listener asks
//!   clients for an optional certificate and, when it verifies, offers SASL EXTERNAL.
//!
//! Unlike 0.37, every failure also sets the messenger's error with the reason (0.37 only
//! aborts the message, or fails `subscribe` with "invalid credentials").

use super::address::Address;
use super::store::Status;
use super::{Messenger, Tracked};
use crate::engine::tls::{Domain, Mode, Tls, Verify};
use crate::error::code;

/// The settings a client domain was built from.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct ClientSettings {
    certificate: Option<String>,
    private_key: Option<String>,
    password: Option<String>,
    trusted: Option<String>,
    mode: i32,
}

/// The client domain, kept while the settings stay the same (loading keys is slow).
pub(super) struct ClientTls {
    settings: ClientSettings,
    domain: Domain,
}

/// `pn_ssl_verify_mode_t` values.
fn verify_mode(mode: i32) -> Result<Verify, String> {
    match mode {
        1 => Ok(Verify::Peer),
        2 => Ok(Verify::AnonymousPeer),
        3 => Ok(Verify::PeerName),
        other => Err(format!("invalid peer authentication mode {other}")),
    }
}

impl Messenger {
    fn client_settings(&self) -> ClientSettings {
        ClientSettings {
            certificate: self.certificate.clone(),
            private_key: self.private_key.clone(),
            password: self.password.clone(),
            trusted: self.trusted_certificates.clone(),
            mode: self.ssl_peer_authentication_mode,
        }
    }

    /// The domain for outgoing amqps connections, built from the current settings.
    pub(super) fn client_domain(&mut self) -> Result<&mut Domain, String> {
        let settings = self.client_settings();
        let current = self
            .client_tls
            .as_ref()
            .is_some_and(|c| c.settings == settings);
        if !current {
            self.client_tls = None;
            let mut domain = Domain::new(Mode::Client);
            if let Some(cert) = &settings.certificate {
                domain
                    .set_credentials(
                        cert,
                        settings.private_key.as_deref(),
                        settings.password.as_deref(),
                    )
                    .map_err(|e| format!("invalid credentials: {e}"))?;
            }
            if let Some(trusted) = &settings.trusted {
                domain
                    .set_trusted_ca_db(trusted)
                    .map_err(|e| format!("invalid certificate db: {e}"))?;
                domain
                    .set_peer_authentication(verify_mode(settings.mode)?, None)
                    .map_err(|e| format!("invalid certificate db: {e}"))?;
            }
            self.client_tls = Some(ClientTls { settings, domain });
        }
        Ok(&mut self.client_tls.as_mut().expect("built").domain)
    }

    /// TLS for a new outgoing connection to `host`.
    pub(super) fn client_tls(&mut self, host: &str) -> Result<Tls, String> {
        Tls::new(self.client_domain()?, Some(host))
    }

    /// Before a message goes to an amqps address: if TLS cannot be set up from the
    /// configuration, the message at `pos` of the queue is ABORTED (put still succeeds, as
    /// in 0.37) and the messenger error says why. Returns whether that happened.
    pub(super) fn abort_if_tls_unusable(&mut self, a: &Address, pos: usize) -> bool {
        if !a.is_tls() {
            return false;
        }
        let Err(why) = self.client_domain().map(|_| ()) else {
            return false;
        };
        if let Some(queued) = self.queue.remove(pos) {
            if let Some(state) = self.outgoing.get_mut(queued.seq) {
                *state = Tracked::Final(Status::Aborted);
            }
        }
        let label = format!(
            "{}:{}",
            a.host.as_deref().unwrap_or(""),
            a.port.as_deref().unwrap_or("(null)")
        );
        self.fail(code::ERR, format!("CONNECTION ERROR ({label}): {why}"));
        true
    }

    /// The domain of a listener on `a`: our credentials, TLS required for `amqps`.
    pub(super) fn listener_domain(&self, a: &Address) -> Result<Domain, String> {
        let mut domain = Domain::new(Mode::Server);
        if let Some(cert) = &self.certificate {
            domain
                .set_credentials(cert, self.private_key.as_deref(), self.password.as_deref())
                .map_err(|e| format!("invalid credentials: {e}"))?;
        }
        if !a.is_tls() {
            domain.allow_unsecured_client()?;
        }
        // 0.37 ignores trusted certificates on listeners; we use them, when they load, to
        // recognise clients' certificates (for SASL EXTERNAL), never to refuse a client.
        if let Some(trusted) = &self.trusted_certificates {
            if domain.set_trusted_ca_db(trusted).is_ok() {
                domain.set_optional_client_certificate(true);
            }
        }
        Ok(domain)
    }
}
