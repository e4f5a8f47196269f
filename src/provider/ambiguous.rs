//! Creates whose outcome is unknown: look before sending again.
//!
//! Owns: [`ClayClient::create_resolving_ambiguity`], the loop every create goes through. A
//! create is sent once; if its outcome is ambiguous (timeout, dropped connection, 5xx after the
//! request left), the object is looked up by name and returned when it exists; only when it does
//! not is the create sent again, up to the retry policy's attempt limit.
//! Must not know: which object is being created.

use std::future::Future;

use super::client::ClayClient;
use super::error::ClayError;

impl ClayClient {
    pub(crate) async fn create_resolving_ambiguity<T, Send, SendFuture, Find, FindFuture>(
        &self,
        mut send: Send,
        mut find_existing: Find,
    ) -> Result<T, ClayError>
    where
        Send: FnMut() -> SendFuture,
        SendFuture: Future<Output = Result<T, ClayError>>,
        Find: FnMut() -> FindFuture,
        FindFuture: Future<Output = Result<Option<T>, ClayError>>,
    {
        let max_sends = self.max_attempts().max(1);
        let mut sends = 0;
        loop {
            sends += 1;
            let error = match send().await {
                Ok(created) => return Ok(created),
                Err(error) if error.is_ambiguous() => error,
                Err(error) => return Err(error),
            };
            tracing::warn!(
                method = %error.method,
                path = %error.path,
                error = %error.kind,
                "create outcome unknown; looking the object up before sending it again"
            );
            if let Some(existing) = find_existing().await? {
                return Ok(existing);
            }
            if sends >= max_sends {
                return Err(error);
            }
        }
    }
}
