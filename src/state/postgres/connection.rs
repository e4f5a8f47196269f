//! Reaching the state database: the connection string from the environment, TLS as its
//! `sslmode` asks, the runtime the queries run on, and keeping credentials out of every message.
//!
//! Must not know: the tables or what is stored in them (see the parent module).
//!
//! The connection string is read from the environment variable the project names, and nothing
//! else ever holds it: messages name the database as `postgres://HOST:PORT/DB` (no user, no
//! password), and every driver message is scrubbed of the connection string and password before
//! it leaves this module.

use std::future::Future;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::state::error::StateError;

/// How to reach the database, without a way to print the credentials.
#[derive(Clone)]
pub(super) struct Connector {
    config: Config,
    /// `None` when `sslmode=disable`.
    tls: Option<MakeRustlsConnect>,
    /// Text that must never appear in a message: the connection string and the password.
    secrets: Vec<String>,
    /// `postgres://HOST:PORT/DB`, for messages and lock info.
    location: String,
}

impl Connector {
    /// Read the connection string from `var` and check it, without connecting.
    pub(super) fn from_env(var: &str) -> Result<Connector, StateError> {
        let conn_str = std::env::var(var).map_err(|_| StateError::ConnectionStringMissing {
            var: var.to_string(),
        })?;
        Connector::new(var, &conn_str)
    }

    fn new(var: &str, conn_str: &str) -> Result<Connector, StateError> {
        let mut secrets = vec![conn_str.to_string()];
        let invalid = |reason: String| StateError::ConnectionStringInvalid {
            var: var.to_string(),
            reason,
        };
        if conn_str.trim().is_empty() {
            return Err(invalid("it is empty".to_string()));
        }
        let mut config =
            Config::from_str(conn_str).map_err(|e| invalid(scrub(&error_chain(&e), &secrets)))?;
        if let Some(password) = config.get_password() {
            let password = String::from_utf8_lossy(password).into_owned();
            // A password of one or two characters would scrub ordinary words out of messages;
            // the driver never echoes it anyway.
            if password.len() >= 3 {
                secrets.push(password);
            }
        }
        if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
            return Err(invalid("it names no host".to_string()));
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        // A peer that vanishes mid-query is noticed within about a minute, not two hours.
        config.keepalives(true);
        if config.get_keepalives_idle() == Duration::from_secs(2 * 60 * 60) {
            config.keepalives_idle(Duration::from_secs(30));
        }
        if config.get_application_name().is_none() {
            config.application_name("clayform");
        }
        let tls = match config.get_ssl_mode() {
            SslMode::Disable => None,
            _ => Some(tls_connector().map_err(invalid)?),
        };
        let location = location_of(&config);
        Ok(Connector {
            config,
            tls,
            secrets,
            location,
        })
    }

    /// `postgres://HOST:PORT/DB`: where the database is, without credentials.
    pub(super) fn location(&self) -> &str {
        &self.location
    }

    /// Open a connection (with [`STATEMENT_TIMEOUT`] set); its driver task runs on the state runtime until the client is dropped.
    /// Runs on the state runtime.
    pub(super) async fn connect(&self) -> Result<Client, StateError> {
        let action = "connect to the state database";
        let client = match &self.tls {
            None => {
                let (client, connection) = self
                    .config
                    .connect(NoTls)
                    .await
                    .map_err(|e| self.error(action, &e))?;
                tokio::spawn(async move {
                    let _ = connection.await;
                });
                client
            }
            Some(tls) => {
                let (client, connection) = self
                    .config
                    .connect(tls.clone())
                    .await
                    .map_err(|e| self.error(action, &e))?;
                tokio::spawn(async move {
                    let _ = connection.await;
                });
                client
            }
        };
        // Every statement clayform sends is small and fast; one that hangs (a locked table, a
        // stuck server) fails after this instead of hanging the command.
        client
            .batch_execute(STATEMENT_TIMEOUT)
            .await
            .map_err(|e| self.error(action, &e))?;
        Ok(client)
    }

    /// A driver error as a state error, scrubbed of credentials.
    pub(super) fn error(&self, action: &str, error: &tokio_postgres::Error) -> StateError {
        StateError::Database {
            action: action.to_string(),
            location: self.location.clone(),
            message: scrub(&error_chain(error), &self.secrets),
        }
    }
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("location", &self.location)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

fn location_of(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) if host.contains(':') => format!("[{host}]"),
        Some(Host::Tcp(host)) => host.clone(),
        #[cfg(unix)]
        Some(Host::Unix(path)) => path.display().to_string(),
        None => match config.get_hostaddrs().first() {
            Some(std::net::IpAddr::V6(address)) => format!("[{address}]"),
            Some(address) => address.to_string(),
            None => "localhost".to_string(),
        },
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let database = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    format!("postgres://{host}:{port}/{database}")
}

/// The error and its causes, `: `-separated (the driver's own text is only the first).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn scrub(text: &str, secrets: &[String]) -> String {
    let mut text = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret.as_str(), "***");
    }
    text
}

/// rustls with aws-lc-rs (reqwest's provider too), trusting the Mozilla roots and the system's.
/// Certificates are always verified, so `sslmode=require` is as strict as libpq's `verify-full`.
fn tls_connector() -> Result<MakeRustlsConnect, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

thread_local! {
    static ON_STATE_RUNTIME: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The state runtime: one worker thread, started on first use and kept for the life of the
/// process.
fn state_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("clayform-state")
            .on_thread_start(|| ON_STATE_RUNTIME.with(|on| on.set(true)))
            .enable_all()
            .build()
            .expect("start the runtime of the Postgres state backend")
    })
}

/// Whether this thread is one of the state runtime's, where waiting for it would deadlock.
pub(super) fn on_state_runtime() -> bool {
    ON_STATE_RUNTIME.with(std::cell::Cell::get)
}

/// Run `future` on the state runtime and wait for its output on this thread.
///
/// The state layer is synchronous, and its callers are often inside the command line's own
/// runtime, where `block_on` would panic ("Cannot start a runtime from within a runtime"). So
/// queries run on a small runtime of their own, and this thread waits on a plain channel, which
/// is allowed anywhere — except on the state runtime itself, which would wait for itself.
pub(super) fn run<F, T>(future: F) -> T
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    assert!(
        !on_state_runtime(),
        "the Postgres state backend was called from its own runtime"
    );
    let (sender, receiver) = std::sync::mpsc::sync_channel(1);
    state_runtime().spawn(async move {
        let output = future.await;
        let _ = sender.send(output);
    });
    receiver
        .recv()
        .expect("a query of the Postgres state backend panicked")
}

/// Run `future` on the state runtime without waiting for it.
pub(super) fn spawn<F>(future: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    state_runtime().spawn(future);
}

/// Run on every new connection.
pub(super) const STATEMENT_TIMEOUT: &str = "SET statement_timeout = '60s'";

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the test server when there is one (`.ci/run` starts it; CI fails without it).
    #[test]
    fn connections_carry_a_statement_timeout() {
        let Ok(url) = std::env::var("CLAYFORM_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CLAYFORM_TEST_POSTGRES_URL is required under CI"
            );
            eprintln!("skipped: CLAYFORM_TEST_POSTGRES_URL is not set");
            return;
        };
        let connector = Connector::new("CLAYFORM_TEST_POSTGRES_URL", &url).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let timeout: String = runtime.block_on(async {
            let client = connector.connect().await.expect("connect");
            client
                .query_one("SHOW statement_timeout", &[])
                .await
                .expect("show")
                .get(0)
        });
        assert_eq!(timeout, "1min");
    }

    #[test]
    fn location_and_errors_never_hold_the_password() {
        let url = "postgres://ana:s3cret-pw@db.example.com:6543/app?sslmode=disable";
        let connector = Connector::new("DATABASE_URL", url).unwrap();
        assert_eq!(connector.location(), "postgres://db.example.com:6543/app");
        assert!(!format!("{connector:?}").contains("s3cret"));
        let scrubbed = scrub(
            &format!("failed for {url} with s3cret-pw"),
            &connector.secrets,
        );
        assert_eq!(scrubbed, "failed for *** with ***");
    }

    #[test]
    fn a_bad_connection_string_names_the_variable_not_the_string() {
        let error = Connector::new(
            "DATABASE_URL",
            "postgres://ana:s3cret-pw@db/app?sslmode=sometimes",
        )
        .unwrap_err();
        let text = error.to_string();
        assert!(text.contains("`DATABASE_URL`"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
        let empty = Connector::new("DATABASE_URL", " ").unwrap_err();
        assert!(empty.to_string().contains("it is empty"));
    }

    #[test]
    fn sslmode_require_sets_up_tls_and_disable_does_not() {
        let require = Connector::new("U", "postgres://db/app?sslmode=require").unwrap();
        assert!(require.tls.is_some());
        let disable = Connector::new("U", "postgres://db/app?sslmode=disable").unwrap();
        assert!(disable.tls.is_none());
        let prefer = Connector::new("U", "host=db dbname=app").unwrap();
        assert!(prefer.tls.is_some(), "prefer (the default) tries TLS first");
        assert_eq!(prefer.location(), "postgres://db:5432/app");
    }
}
