//! The test certificates of `scripts/gen-test-certs.sh` (made with the openssl command, once
//! per test process, into build/certs): a CA, a server certificate for 127.0.0.1 and
//! localhost, a wrong-name one, one from another CA, a client certificate, encrypted keys.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

/// The certificate directory, made if needed.
pub fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let dir = repo.join("build").join("certs");
        let status = std::process::Command::new("bash")
            .arg(repo.join("scripts").join("gen-test-certs.sh"))
            .arg(&dir)
            .status()
            .expect("run scripts/gen-test-certs.sh");
        assert!(status.success(), "scripts/gen-test-certs.sh failed");
        dir
    })
}

/// The path of one file of the set.
pub fn path(name: &str) -> String {
    dir().join(name).to_string_lossy().into_owned()
}

/// The password of the encrypted keys.
pub fn password() -> String {
    std::fs::read_to_string(dir().join("key-password.txt")).expect("key-password.txt")
}

/// The subject our listener sees for client.pem (SASL EXTERNAL's identity).
pub const CLIENT_SUBJECT: &str = "CN=test-client,O=qpid-proton-rs tests";
