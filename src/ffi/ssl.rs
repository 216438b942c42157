//! ssl.h: TLS support (OpenSSL) and TLS configurations (`pn_ssl_domain_t`).
//!
//! A messenger configures TLS itself (`pn_messenger_set_certificate` and friends); these
//! functions are for programs that use ssl.h directly. Domains are real (files are loaded
//! and checked when set; return codes as 0.37's: -3 certificate, -4 key, -1 other failures,
//! PN_ARG_ERR for bad arguments). A messenger never hands its transports to C (a tracer
//! gets NULL), so `pn_ssl` has no transport to attach to: it returns NULL, and the
//! `pn_ssl_t` functions answer as for a transport without TLS.

use super::{c_str, free_handle, guard, inner, into_handle, Opaque};
use crate::engine::tls::{CredentialsError, Domain, Mode, Verify};
use crate::error::code::{ARG_ERR, ERR};
use libc::{c_char, c_int};

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

impl Opaque for pn_ssl_domain_t {
    type Inner = Domain;
}

fn text(ptr: *const c_char) -> Option<String> {
    // SAFETY: ssl.h takes NULL or NUL-terminated strings.
    unsafe { c_str(ptr) }.map(|b| String::from_utf8_lossy(b).into_owned())
}

/// Run `f` on the domain behind `domain`; `default` for NULL (or a panic).
fn with_domain<R>(domain: *mut pn_ssl_domain_t, default: R, f: impl FnOnce(&mut Domain) -> R) -> R {
    // SAFETY: `domain` is NULL or a live handle from pn_ssl_domain.
    match unsafe { inner(domain) } {
        Some(d) => guard!(default, { f(d) }),
        None => default,
    }
}

/// Whether TLS is supported: always (OpenSSL).
#[no_mangle]
pub extern "C" fn pn_ssl_present() -> bool {
    true
}

/// A new TLS configuration for clients or servers; NULL for any other mode.
#[no_mangle]
pub extern "C" fn pn_ssl_domain(mode: pn_ssl_mode_t) -> *mut pn_ssl_domain_t {
    let mode = match mode {
        PN_SSL_MODE_CLIENT => Mode::Client,
        PN_SSL_MODE_SERVER => Mode::Server,
        _ => return std::ptr::null_mut(),
    };
    guard!(std::ptr::null_mut(), {
        into_handle::<pn_ssl_domain_t>(Domain::new(mode))
    })
}

/// Free a TLS configuration (NULL is ignored).
#[no_mangle]
pub extern "C" fn pn_ssl_domain_free(domain: *mut pn_ssl_domain_t) {
    // SAFETY: NULL or a handle from pn_ssl_domain, not used again.
    guard!((), { unsafe { free_handle(domain) } })
}

/// Our certificate (PEM file, `credential_1`) and private key (PEM file, `credential_2`,
/// NULL: in the certificate file), the key unlocked with `password`. Returns 0, -3 if the
/// certificate cannot be loaded, -4 if the key cannot (or does not match).
#[no_mangle]
pub extern "C" fn pn_ssl_domain_set_credentials(
    domain: *mut pn_ssl_domain_t,
    credential_1: *const c_char,
    credential_2: *const c_char,
    password: *const c_char,
) -> c_int {
    let Some(certificate) = text(credential_1) else {
        return ARG_ERR;
    };
    let key = text(credential_2);
    let password = text(password);
    with_domain(domain, ARG_ERR, |d| {
        match d.set_credentials(&certificate, key.as_deref(), password.as_deref()) {
            Ok(()) => 0,
            Err(CredentialsError::Certificate(_)) => -3,
            Err(CredentialsError::Key(_)) => -4,
        }
    })
}

/// The CAs that peers must chain to: a PEM file or a hashed directory. 0, or -1.
#[no_mangle]
pub extern "C" fn pn_ssl_domain_set_trusted_ca_db(
    domain: *mut pn_ssl_domain_t,
    certificate_db: *const c_char,
) -> c_int {
    let Some(db) = text(certificate_db) else {
        return ARG_ERR;
    };
    with_domain(domain, ARG_ERR, |d| match d.set_trusted_ca_db(&db) {
        Ok(()) => 0,
        Err(_) => -1,
    })
}

/// How the peer is verified (`trusted_CAs`: the CAs a verifying server asks clients
/// for; required then). 0, or -1.
#[no_mangle]
#[allow(non_snake_case)] // proton's parameter name, kept for the header
pub extern "C" fn pn_ssl_domain_set_peer_authentication(
    domain: *mut pn_ssl_domain_t,
    mode: pn_ssl_verify_mode_t,
    trusted_CAs: *const c_char,
) -> c_int {
    let verify = match mode {
        PN_SSL_VERIFY_PEER => Verify::Peer,
        PN_SSL_ANONYMOUS_PEER => Verify::AnonymousPeer,
        PN_SSL_VERIFY_PEER_NAME => Verify::PeerName,
        _ => return -1,
    };
    let trusted = text(trusted_CAs);
    with_domain(domain, ARG_ERR, |d| {
        match d.set_peer_authentication(verify, trusted.as_deref()) {
            Ok(()) => 0,
            Err(_) => -1,
        }
    })
}

/// Allowed protocol versions, e.g. "TLSv1.2 TLSv1.3". 0, or PN_ARG_ERR.
#[no_mangle]
pub extern "C" fn pn_ssl_domain_set_protocols(
    domain: *mut pn_ssl_domain_t,
    protocols: *const c_char,
) -> c_int {
    let Some(protocols) = text(protocols) else {
        return ARG_ERR;
    };
    with_domain(domain, ARG_ERR, |d| match d.set_protocols(&protocols) {
        Ok(()) => 0,
        Err(_) => ARG_ERR,
    })
}

/// OpenSSL cipher list. 0, or PN_ARG_ERR.
#[no_mangle]
pub extern "C" fn pn_ssl_domain_set_ciphers(
    domain: *mut pn_ssl_domain_t,
    ciphers: *const c_char,
) -> c_int {
    let Some(ciphers) = text(ciphers) else {
        return ARG_ERR;
    };
    with_domain(domain, ARG_ERR, |d| match d.set_ciphers(&ciphers) {
        Ok(()) => 0,
        Err(_) => ARG_ERR,
    })
}

/// A server also takes clients that do not start TLS. 0; -1 for a client domain.
#[no_mangle]
pub extern "C" fn pn_ssl_domain_allow_unsecured_client(domain: *mut pn_ssl_domain_t) -> c_int {
    with_domain(domain, ARG_ERR, |d| match d.allow_unsecured_client() {
        Ok(()) => 0,
        Err(_) => -1,
    })
}

/// The TLS object of a transport: always NULL (no transport of this library is ever
/// handed to C).
#[no_mangle]
pub extern "C" fn pn_ssl(_transport: *mut super::transport::pn_transport_t) -> *mut pn_ssl_t {
    std::ptr::null_mut()
}

/// Attach a configuration to a TLS object: PN_ARG_ERR (there are none, see [`pn_ssl`]).
#[no_mangle]
pub extern "C" fn pn_ssl_init(
    _ssl: *mut pn_ssl_t,
    _domain: *mut pn_ssl_domain_t,
    _session_id: *const c_char,
) -> c_int {
    ARG_ERR
}

/// The cipher in use: false (no TLS object, see [`pn_ssl`]).
#[no_mangle]
pub extern "C" fn pn_ssl_get_cipher_name(
    _ssl: *mut pn_ssl_t,
    _buffer: *mut c_char,
    _size: usize,
) -> bool {
    false
}

/// The security strength factor: 0 (no TLS object).
#[no_mangle]
pub extern "C" fn pn_ssl_get_ssf(_ssl: *mut pn_ssl_t) -> c_int {
    0
}

/// The protocol in use: false (no TLS object).
#[no_mangle]
pub extern "C" fn pn_ssl_get_protocol_name(
    _ssl: *mut pn_ssl_t,
    _buffer: *mut c_char,
    _size: usize,
) -> bool {
    false
}

/// Whether the session was resumed: PN_SSL_RESUME_UNKNOWN (no TLS object).
#[no_mangle]
pub extern "C" fn pn_ssl_resume_status(_ssl: *mut pn_ssl_t) -> pn_ssl_resume_status_t {
    PN_SSL_RESUME_UNKNOWN
}

/// The expected peer name: PN_ARG_ERR (no TLS object).
#[no_mangle]
pub extern "C" fn pn_ssl_set_peer_hostname(_ssl: *mut pn_ssl_t, _hostname: *const c_char) -> c_int {
    ARG_ERR
}

/// The expected peer name: PN_ARG_ERR (no TLS object).
#[no_mangle]
pub extern "C" fn pn_ssl_get_peer_hostname(
    _ssl: *mut pn_ssl_t,
    _hostname: *mut c_char,
    _bufsize: *mut usize,
) -> c_int {
    ARG_ERR
}

/// The peer certificate's subject: NULL (no TLS object).
#[no_mangle]
pub extern "C" fn pn_ssl_get_remote_subject(_ssl: *mut pn_ssl_t) -> *const c_char {
    std::ptr::null()
}

/// The peer certificate's fingerprint: PN_ERR (no TLS object); the buffer, if any, gets
/// an empty string.
#[no_mangle]
pub extern "C" fn pn_ssl_get_cert_fingerprint(
    _ssl0: *mut pn_ssl_t,
    fingerprint: *mut c_char,
    fingerprint_length: usize,
    _hash_alg: pn_ssl_hash_alg,
) -> c_int {
    if !fingerprint.is_null() && fingerprint_length > 0 {
        // SAFETY: the caller gives a buffer of `fingerprint_length` > 0 bytes.
        unsafe { *fingerprint = 0 };
    }
    ERR
}

/// One field of the peer certificate's subject: NULL (no TLS object).
#[no_mangle]
pub extern "C" fn pn_ssl_get_remote_subject_subfield(
    _ssl0: *mut pn_ssl_t,
    _field: pn_ssl_cert_subject_subfield,
) -> *const c_char {
    std::ptr::null()
}
