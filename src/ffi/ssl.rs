//! ssl.h: the TLS types a messenger's configuration refers to.
//!
//! TLS is not supported yet: only the types are declared
//! (`pn_messenger_set_ssl_peer_authentication_mode` stores its mode).

/// A TLS configuration shared by connections. Opaque to C.
pub struct pn_ssl_domain_t {
    _private: [u8; 0],
}

/// The TLS state of one connection. Opaque to C.
pub struct pn_ssl_t {
    _private: [u8; 0],
}

/// Whether an endpoint is the TLS client or server.
pub type pn_ssl_mode_t = libc::c_int;

pub const PN_SSL_MODE_CLIENT: pn_ssl_mode_t = 1;
pub const PN_SSL_MODE_SERVER: pn_ssl_mode_t = 2;

/// Whether a TLS session was resumed.
pub type pn_ssl_resume_status_t = libc::c_int;

pub const PN_SSL_RESUME_UNKNOWN: pn_ssl_resume_status_t = 0;
pub const PN_SSL_RESUME_NEW: pn_ssl_resume_status_t = 1;
pub const PN_SSL_RESUME_REUSED: pn_ssl_resume_status_t = 2;

/// How the peer is verified.
pub type pn_ssl_verify_mode_t = libc::c_int;

/// Internal use only.
pub const PN_SSL_VERIFY_NULL: pn_ssl_verify_mode_t = 0;
/// Require a valid certificate from the peer.
pub const PN_SSL_VERIFY_PEER: pn_ssl_verify_mode_t = 1;
/// Do not require a certificate or cipher authorization.
pub const PN_SSL_ANONYMOUS_PEER: pn_ssl_verify_mode_t = 2;
/// Require a valid certificate whose name matches the peer's host name.
pub const PN_SSL_VERIFY_PEER_NAME: pn_ssl_verify_mode_t = 3;

/// Fields of a certificate's subject.
pub type pn_ssl_cert_subject_subfield = libc::c_int;

pub const PN_SSL_CERT_SUBJECT_COUNTRY_NAME: pn_ssl_cert_subject_subfield = 0;
pub const PN_SSL_CERT_SUBJECT_STATE_OR_PROVINCE: pn_ssl_cert_subject_subfield = 1;
pub const PN_SSL_CERT_SUBJECT_CITY_OR_LOCALITY: pn_ssl_cert_subject_subfield = 2;
pub const PN_SSL_CERT_SUBJECT_ORGANIZATION_NAME: pn_ssl_cert_subject_subfield = 3;
pub const PN_SSL_CERT_SUBJECT_ORGANIZATION_UNIT: pn_ssl_cert_subject_subfield = 4;
pub const PN_SSL_CERT_SUBJECT_COMMON_NAME: pn_ssl_cert_subject_subfield = 5;

/// Certificate fingerprint algorithms.
pub type pn_ssl_hash_alg = libc::c_int;

pub const PN_SSL_SHA1: pn_ssl_hash_alg = 0;
pub const PN_SSL_SHA256: pn_ssl_hash_alg = 1;
pub const PN_SSL_SHA512: pn_ssl_hash_alg = 2;
pub const PN_SSL_MD5: pn_ssl_hash_alg = 3;
