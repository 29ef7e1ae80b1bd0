//! What the pairing endpoints do, over the `Store`: start a pairing and
//! answer a client's poll. Entering a PIN is an admin's change to an
//! integration: `integrations::link_client`.

use chrono::{DateTime, Utc};

use super::{wire::ClientInfo, NewPairing, Pairing, Pin, Poll, Started};
use crate::store::{Store, StoreError};

/// Why no pairing was started.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0} must be 1 to 255 characters of plain text")]
    BadClient(&'static str),
    #[error("too many clients are waiting to be paired; try again in a minute")]
    Full,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How often a PIN is drawn again when a live pairing holds it: with at
/// most `MAX_LIVE_PAIRINGS` live, eight clashes in a row are one chance in
/// 10¹⁶.
const DRAWS: usize = 8;

/// Starts a pairing for `client`, kept under `device_code_hash`; `draw`
/// gives a fresh PIN (from the OS's CSPRNG) each time it is called.
pub async fn start(
    store: &dyn Store,
    client: &ClientInfo,
    device_code_hash: &[u8],
    mut draw: impl FnMut() -> Pin,
    now: DateTime<Utc>,
) -> Result<(Pin, Pairing), StartError> {
    if let Some(field) = client.first_bad_field() {
        return Err(StartError::BadClient(field));
    }
    let pairing = Pairing::new(now);
    for _ in 0..DRAWS {
        let pin = draw();
        let new = NewPairing {
            device_code_hash,
            pin: &pin,
            client,
            pairing: &pairing,
            started_at: now,
        };
        match store.start_pairing(&new).await? {
            Started::Kept => return Ok((pin, pairing)),
            Started::PinTaken => continue,
            Started::Full => return Err(StartError::Full),
        }
    }
    Err(StartError::Full)
}

/// Why a client's report was not taken.
#[derive(Debug, thiserror::Error)]
pub enum ContactError {
    #[error("{0} must be 1 to 255 characters of plain text")]
    BadClient(&'static str),
    /// No link holds the credential: the client must pair again.
    #[error("this installation is no longer connected: pair it again")]
    Revoked,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A paired client reports in (a heartbeat): recorded as its last contact,
/// with what it says about itself now.
pub async fn report_contact(
    store: &dyn Store,
    credential_hash: &[u8],
    client: &ClientInfo,
    now: DateTime<Utc>,
) -> Result<crate::integration::IntegrationId, ContactError> {
    if let Some(field) = client.first_bad_field() {
        return Err(ContactError::BadClient(field));
    }
    store
        .record_contact(credential_hash, client, now)
        .await?
        .ok_or(ContactError::Revoked)
}

/// Answers a client's poll. An unknown handle is `Expired`, so a client
/// whose pairing was forgotten simply starts a new one.
pub async fn poll(
    store: &dyn Store,
    device_code_hash: &[u8],
    credential_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Poll, StoreError> {
    Ok(store
        .poll_pairing(device_code_hash, credential_hash, now)
        .await?
        .unwrap_or(Poll::Expired))
}
