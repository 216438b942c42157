//! Proton's error codes and the crate's error type.
//!
//! Inside the crate errors are [`Error`] values; the C boundary turns them into the
//! `PN_*` integer codes and the text of a `pn_error_t`.

use std::ffi::{CStr, CString};
use std::fmt;

/// Proton's integer error codes (error.h).
pub mod code {
    pub const OK: i32 = 0;
    pub const EOS: i32 = -1;
    pub const ERR: i32 = -2;
    pub const OVERFLOW: i32 = -3;
    pub const UNDERFLOW: i32 = -4;
    pub const STATE_ERR: i32 = -5;
    pub const ARG_ERR: i32 = -6;
    pub const TIMEOUT: i32 = -7;
    pub const INTR: i32 = -8;
    pub const INPROGRESS: i32 = -9;
    pub const OUT_OF_MEMORY: i32 = -10;
    pub const ABORTED: i32 = -11;
}

/// The symbolic name proton gives an error code (`pn_code`).
pub fn code_name(code: i32) -> &'static str {
    match code {
        code::OK => "<ok>",
        code::EOS => "PN_EOS",
        code::ERR => "PN_ERR",
        code::OVERFLOW => "PN_OVERFLOW",
        code::UNDERFLOW => "PN_UNDERFLOW",
        code::STATE_ERR => "PN_STATE_ERR",
        code::ARG_ERR => "PN_ARG_ERR",
        code::TIMEOUT => "PN_TIMEOUT",
        code::INTR => "PN_INTR",
        code::INPROGRESS => "PN_INPROGRESS",
        code::OUT_OF_MEMORY => "PN_OUT_OF_MEMORY",
        code::ABORTED => "PN_ABORTED",
        _ => "<unknown>",
    }
}

/// An error with a proton code and an optional human-readable text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub code: i32,
    pub text: Option<String>,
}

impl Error {
    pub fn new(code: i32, text: impl Into<String>) -> Self {
        Error {
            code,
            text: Some(text.into()),
        }
    }

    /// An error that carries only a code (proton leaves the text empty for these).
    pub fn bare(code: i32) -> Self {
        Error { code, text: None }
    }

    pub fn overflow() -> Self {
        Error::bare(code::OVERFLOW)
    }

    pub fn underflow() -> Self {
        Error::bare(code::UNDERFLOW)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.text {
            Some(t) => write!(f, "{}: {}", code_name(self.code), t),
            None => f.write_str(code_name(self.code)),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// The state of a `pn_error_t`: a code (0 = no error) and a text (None = no text).
///
/// The text is kept NUL-terminated so the C boundary can lend it out without copying.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorSlot {
    code: i32,
    text: Option<CString>,
}

impl ErrorSlot {
    pub fn code(&self) -> i32 {
        self.code
    }

    /// The text as UTF-8 (lossy), if any.
    pub fn text(&self) -> Option<String> {
        self.text.as_ref().map(|t| t.to_string_lossy().into_owned())
    }

    /// The text as a C string, if any.
    pub fn c_text(&self) -> Option<&CStr> {
        self.text.as_deref()
    }

    pub fn clear(&mut self) {
        self.code = 0;
        self.text = None;
    }

    /// Proton's `pn_error_set`: clear, then keep code and text only when code != 0.
    /// Text is cut at an embedded NUL, as C would see it.
    pub fn set_bytes(&mut self, code: i32, text: Option<&[u8]>) -> i32 {
        self.clear();
        if code != 0 {
            self.code = code;
            self.text = text.map(|t| {
                let end = t.iter().position(|&b| b == 0).unwrap_or(t.len());
                CString::new(&t[..end]).unwrap_or_default()
            });
        }
        code
    }

    pub fn set(&mut self, code: i32, text: Option<&str>) -> i32 {
        self.set_bytes(code, text.map(str::as_bytes))
    }

    /// Record an [`Error`] and return its code.
    pub fn record(&mut self, err: &Error) -> i32 {
        self.set(err.code, err.text.as_deref())
    }
}
