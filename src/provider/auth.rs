//! Credentials for Clay's v3 API and how they become request headers.
//!
//! Owns: the [`Secret`] wrapper (whose `Debug` and `Display` never show the value) and the two
//! ways Clay authenticates a `/v3` call: a user API key sent as the *raw* `Authorization` header
//! (never `Bearer`, which Clay answers with 403) and the `claysession` cookie.
//! Must not know: where the values come from (see `client::ClayClientConfig::from_env`).

use std::fmt;

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderName, HeaderValue};

/// A credential value. Formatting it never reveals it; only the header builder reads it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The raw value, for building the header and for scrubbing it out of error text.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How the client proves who it is.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Credentials {
    /// `CLAY_API_KEY`: sent as `Authorization: <key>`, with no scheme.
    ApiKey(Secret),
    /// `CLAY_SESSION_COOKIE`: sent as `Cookie: claysession=<value>`.
    SessionCookie(Secret),
}

impl Credentials {
    pub fn api_key(key: impl Into<String>) -> Self {
        Credentials::ApiKey(Secret::new(key))
    }

    pub fn session_cookie(value: impl Into<String>) -> Self {
        Credentials::SessionCookie(Secret::new(value))
    }

    pub(crate) fn secret(&self) -> &Secret {
        match self {
            Credentials::ApiKey(secret) | Credentials::SessionCookie(secret) => secret,
        }
    }

    /// The header that carries the credential, marked sensitive so `reqwest` and `http` never
    /// print it. `None` when the value holds bytes a header can't carry.
    pub(crate) fn header(&self) -> Option<(HeaderName, HeaderValue)> {
        let (name, text) = match self {
            Credentials::ApiKey(key) => (AUTHORIZATION, key.expose().to_owned()),
            Credentials::SessionCookie(cookie) => {
                (COOKIE, format!("claysession={}", cookie.expose()))
            }
        };
        let mut value = HeaderValue::from_str(&text).ok()?;
        value.set_sensitive(true);
        Some((name, value))
    }

    /// Replaces every occurrence of the secret in `text`, so an error that quotes a server's
    /// message can't leak it even if the server echoed it.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let secret = self.secret().expose();
        if secret.len() < 4 {
            return text.to_owned();
        }
        text.replace(secret, "[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_is_the_raw_authorization_value() {
        let (name, value) = Credentials::api_key("clay_user_abc")
            .header()
            .expect("header");
        assert_eq!(name, AUTHORIZATION);
        assert_eq!(value.to_str().expect("ascii"), "clay_user_abc");
        assert!(value.is_sensitive());
    }

    #[test]
    fn cookie_is_sent_as_claysession() {
        let (name, value) = Credentials::session_cookie("s%3Aabc.def")
            .header()
            .expect("header");
        assert_eq!(name, COOKIE);
        assert_eq!(value.to_str().expect("ascii"), "claysession=s%3Aabc.def");
    }

    #[test]
    fn formatting_never_shows_the_secret() {
        let credentials = Credentials::api_key("clay_user_SECRET123");
        assert!(!format!("{credentials:?}").contains("SECRET123"));
        assert!(!format!("{}", credentials.secret()).contains("SECRET123"));
        assert_eq!(
            credentials.scrub("echo clay_user_SECRET123!"),
            "echo [redacted]!"
        );
    }
}
