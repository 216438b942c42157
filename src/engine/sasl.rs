//! SASL negotiation (spec part 5.3) for both ends of a connection, as proton's built-in
//! SASL does it: the client picks EXTERNAL, PLAIN or ANONYMOUS from what is offered; the
//! server offers ANONYMOUS, plus EXTERNAL when TLS gave it a client identity.

use super::performative::SaslFrame;

/// sasl-outcome codes (spec 5.3.3.6).
pub mod outcome {
    pub const OK: u8 = 0;
    pub const AUTH: u8 = 1;
    pub const SYS: u8 = 2;
    pub const SYS_PERM: u8 = 3;
    pub const SYS_TEMP: u8 = 4;
}

/// What the client side knows to authenticate with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientCredentials {
    pub user: Option<String>,
    pub password: Option<String>,
    /// PLAIN may be used without TLS (`PN_FLAGS_ALLOW_INSECURE_MECHS`).
    pub allow_insecure: bool,
    /// The connection runs over TLS.
    pub tls: bool,
    /// TLS presented a client certificate, so EXTERNAL can work.
    pub tls_identity: bool,
}

/// What the server side offers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerPolicy {
    /// The identity TLS established for the client, enabling EXTERNAL.
    pub external_identity: Option<String>,
}

/// How a negotiation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaslResult {
    /// Authenticated, as this user ("anonymous" for ANONYMOUS).
    Ok { user: String },
    /// The peer refused us, or we refused it; `code` is the sasl-outcome code.
    Failed { code: u8, reason: String },
}

/// One side of a SASL exchange: feed it the peer's frames, send what it returns.
#[derive(Debug)]
pub enum Sasl {
    Client {
        credentials: ClientCredentials,
        hostname: Option<String>,
        result: Option<SaslResult>,
    },
    Server {
        policy: ServerPolicy,
        result: Option<SaslResult>,
    },
}

impl Sasl {
    pub fn client(credentials: ClientCredentials, hostname: Option<String>) -> Sasl {
        Sasl::Client {
            credentials,
            hostname,
            result: None,
        }
    }

    pub fn server(policy: ServerPolicy) -> Sasl {
        Sasl::Server {
            policy,
            result: None,
        }
    }

    /// The frames a server sends first (its mechanisms); none for a client.
    pub fn start(&self) -> Option<SaslFrame> {
        match self {
            Sasl::Client { .. } => None,
            Sasl::Server { policy, .. } => {
                let mut mechs = vec!["ANONYMOUS".to_owned()];
                if policy.external_identity.is_some() {
                    mechs.insert(0, "EXTERNAL".to_owned());
                }
                Some(SaslFrame::Mechanisms(mechs))
            }
        }
    }

    pub fn result(&self) -> Option<&SaslResult> {
        match self {
            Sasl::Client { result, .. } | Sasl::Server { result, .. } => result.as_ref(),
        }
    }

    /// Handle a frame from the peer; returns the frame to answer with, if any.
    pub fn handle(&mut self, frame: SaslFrame) -> Result<Option<SaslFrame>, String> {
        match self {
            Sasl::Client {
                credentials,
                hostname,
                result,
            } => match frame {
                SaslFrame::Mechanisms(offered) => {
                    let (mechanism, initial_response) = choose_mechanism(credentials, &offered)
                        .ok_or_else(|| {
                            format!(
                                "no acceptable SASL mechanism among those offered: {}",
                                offered.join(" ")
                            )
                        })?;
                    Ok(Some(SaslFrame::Init {
                        mechanism,
                        initial_response,
                        hostname: hostname.clone(),
                    }))
                }
                // Built-in mechanisms need no challenges; answer with an empty response.
                SaslFrame::Challenge(_) => Ok(Some(SaslFrame::Response(Vec::new()))),
                SaslFrame::Outcome { code, .. } => {
                    *result = Some(if code == outcome::OK {
                        SaslResult::Ok {
                            user: credentials
                                .user
                                .clone()
                                .unwrap_or_else(|| "anonymous".into()),
                        }
                    } else {
                        SaslResult::Failed {
                            code,
                            reason: outcome_text(code).to_owned(),
                        }
                    });
                    Ok(None)
                }
                other => Err(format!("unexpected SASL frame for a client: {other:?}")),
            },
            Sasl::Server { policy, result } => match frame {
                SaslFrame::Init {
                    mechanism,
                    initial_response,
                    ..
                } => {
                    let (code, user) = match mechanism.as_str() {
                        "ANONYMOUS" => (outcome::OK, "anonymous".to_owned()),
                        "EXTERNAL" => match &policy.external_identity {
                            Some(id) => (outcome::OK, id.clone()),
                            None => (outcome::AUTH, String::new()),
                        },
                        _ => (outcome::AUTH, String::new()),
                    };
                    let _ = initial_response;
                    *result = Some(if code == outcome::OK {
                        SaslResult::Ok { user }
                    } else {
                        SaslResult::Failed {
                            code,
                            reason: format!("mechanism {mechanism} refused"),
                        }
                    });
                    Ok(Some(SaslFrame::Outcome {
                        code,
                        additional_data: None,
                    }))
                }
                SaslFrame::Response(_) => Err("unexpected SASL response".into()),
                other => Err(format!("unexpected SASL frame for a server: {other:?}")),
            },
        }
    }
}

/// Proton's built-in client choice: EXTERNAL if offered (with a TLS identity), else
/// PLAIN if offered and allowed, else ANONYMOUS if offered.
fn choose_mechanism(
    c: &ClientCredentials,
    offered: &[String],
) -> Option<(String, Option<Vec<u8>>)> {
    let has = |m: &str| offered.iter().any(|o| o == m);
    if has("EXTERNAL") && c.tls_identity {
        return Some(("EXTERNAL".into(), Some(Vec::new())));
    }
    if let (true, Some(user), Some(password)) = (has("PLAIN"), &c.user, &c.password) {
        if c.tls || c.allow_insecure {
            let mut response = vec![0];
            response.extend_from_slice(user.as_bytes());
            response.push(0);
            response.extend_from_slice(password.as_bytes());
            return Some(("PLAIN".into(), Some(response)));
        }
    }
    if has("ANONYMOUS") {
        let user = c.user.clone().unwrap_or_else(|| "anonymous".into());
        return Some(("ANONYMOUS".into(), Some(user.into_bytes())));
    }
    None
}

impl SaslFrame {
    /// For traces: a PLAIN sasl-init with the password replaced by `***` (None for frames
    /// that carry no secret).
    pub fn without_secrets(&self) -> Option<SaslFrame> {
        let SaslFrame::Init {
            mechanism,
            initial_response: Some(response),
            hostname,
        } = self
        else {
            return None;
        };
        if mechanism != "PLAIN" {
            return None;
        }
        // authzid NUL authcid NUL password: keep up to the second NUL.
        let mut masked = Vec::with_capacity(response.len());
        let mut nuls = 0;
        for &b in response {
            if nuls == 2 {
                break;
            }
            masked.push(b);
            nuls += usize::from(b == 0);
        }
        masked.extend_from_slice(b"***");
        Some(SaslFrame::Init {
            mechanism: mechanism.clone(),
            initial_response: Some(masked),
            hostname: hostname.clone(),
        })
    }
}

/// Words for a sasl-outcome code.
pub fn outcome_text(code: u8) -> &'static str {
    match code {
        outcome::OK => "ok",
        outcome::AUTH => "authentication failed",
        outcome::SYS => "system error",
        outcome::SYS_PERM => "permanent system error",
        outcome::SYS_TEMP => "transient system error",
        _ => "unknown SASL outcome",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(m: &[&str]) -> Vec<String> {
        m.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn client_prefers_plain_with_a_password_and_falls_back_to_anonymous() {
        let creds = ClientCredentials {
            user: Some("u".into()),
            password: Some("p".into()),
            allow_insecure: true,
            ..Default::default()
        };
        let (m, r) = choose_mechanism(&creds, &offered(&["ANONYMOUS", "PLAIN"])).unwrap();
        assert_eq!((m.as_str(), r.unwrap()), ("PLAIN", b"\0u\0p".to_vec()));
        let insecure = ClientCredentials {
            allow_insecure: false,
            ..creds.clone()
        };
        let (m, r) = choose_mechanism(&insecure, &offered(&["ANONYMOUS", "PLAIN"])).unwrap();
        assert_eq!((m.as_str(), r.unwrap()), ("ANONYMOUS", b"u".to_vec()));
        assert!(choose_mechanism(&insecure, &offered(&["PLAIN"])).is_none());
    }

    #[test]
    fn plain_password_is_masked_for_traces() {
        let init = SaslFrame::Init {
            mechanism: "PLAIN".into(),
            initial_response: Some(b"\0user\0secret".to_vec()),
            hostname: None,
        };
        let Some(SaslFrame::Init {
            initial_response: Some(r),
            ..
        }) = init.without_secrets()
        else {
            panic!("PLAIN init is masked");
        };
        assert_eq!(r, b"\0user\0***".to_vec());
        let anonymous = SaslFrame::Init {
            mechanism: "ANONYMOUS".into(),
            initial_response: Some(b"user".to_vec()),
            hostname: None,
        };
        assert_eq!(anonymous.without_secrets(), None);
    }

    #[test]
    fn server_accepts_anonymous_only() {
        let mut server = Sasl::server(ServerPolicy::default());
        assert_eq!(
            server.start(),
            Some(SaslFrame::Mechanisms(offered(&["ANONYMOUS"])))
        );
        let reply = server
            .handle(SaslFrame::Init {
                mechanism: "PLAIN".into(),
                initial_response: None,
                hostname: None,
            })
            .unwrap();
        assert_eq!(
            reply,
            Some(SaslFrame::Outcome {
                code: outcome::AUTH,
                additional_data: None
            })
        );
    }
}
