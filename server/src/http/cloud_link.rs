//! The Cloud Link protocol under `/cloud-link/v1/` (DESIGN §5, ADR 0009):
//! a client starts a pairing and polls for its credential, RFC 8628 style.
//! The rules are in `domain::cloud_link`; this module speaks HTTP.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    num::NonZeroU32,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    extract::{ConnectInfo, DefaultBodyLimit, FromRequest, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{post, put},
    Json, Router,
};
use chrono::Utc;
use domain::cloud_link::{
    job::{Checksum, JobId, Reported, MAX_FILE_BYTES, MAX_WAITING_CLAIMS},
    service::{self, ContactError, FileError, ReportError, StartError, Upload, WindowError},
    wire::{
        ClientInfo, FileAccepted, JobOffer, JobResult, PairingStarted, ResultTable, TokenGranted,
        TokenRequest, MAX_REPORT_BYTES,
    },
    Pin, Poll, PIN_LIFETIME,
};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use rand::{rngs::OsRng, Rng};

use super::{
    api::{self, extract::UploadPermit, ApiError, ApiJson, ApiPath},
    AppState,
};
use sha2::{Digest, Sha256};

use crate::{
    db::payload,
    secrets::token::{self, TokenKind},
};

/// The claims waiting per integration (`MAX_WAITING_CLAIMS` each).
#[derive(Default)]
pub struct WaitingClaims(Mutex<HashMap<domain::integration::IntegrationId, usize>>);

/// One waiting claim; leaving its place when dropped.
struct WaitingClaim {
    claims: Arc<WaitingClaims>,
    integration: domain::integration::IntegrationId,
}

impl WaitingClaims {
    /// A place for one more waiting claim, unless the integration has its
    /// most.
    fn enter(
        claims: &Arc<WaitingClaims>,
        integration: domain::integration::IntegrationId,
    ) -> Option<WaitingClaim> {
        let mut waiting = claims.0.lock().unwrap_or_else(|poison| poison.into_inner());
        let count = waiting.entry(integration).or_default();
        if *count >= MAX_WAITING_CLAIMS {
            return None;
        }
        *count += 1;
        Some(WaitingClaim {
            claims: claims.clone(),
            integration,
        })
    }
}

impl Drop for WaitingClaim {
    fn drop(&mut self) {
        let mut waiting = self
            .claims
            .0
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some(count) = waiting.get_mut(&self.integration) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                waiting.remove(&self.integration);
            }
        }
    }
}

/// New pairings a minute for the whole server and for one address:
/// starting one needs no login, so it is bounded (ADR 0009).
pub struct PairingLimiter {
    everyone: DefaultDirectRateLimiter,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
}

/// Pairings one address may start a minute: a client starts one every five
/// minutes, so a whole office behind one address has room.
const PAIRINGS_PER_ADDRESS_PER_MINUTE: u32 = 10;
/// Addresses remembered before the quiet ones are forgotten, so the
/// limiter's memory stays bounded whatever addresses come.
const ADDRESSES_KEPT: usize = 10_000;

impl PairingLimiter {
    pub fn new(per_minute: u32) -> Self {
        let rate = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        let per_address =
            NonZeroU32::new(PAIRINGS_PER_ADDRESS_PER_MINUTE).unwrap_or(NonZeroU32::MIN);
        Self {
            everyone: RateLimiter::direct(Quota::per_minute(rate)),
            per_address: RateLimiter::keyed(Quota::per_minute(per_address)),
        }
    }

    /// Whether `address` may start a pairing now.
    fn check(&self, address: IpAddr) -> bool {
        if self.per_address.len() > ADDRESSES_KEPT {
            self.per_address.retain_recent();
        }
        self.per_address.check_key(&address).is_ok() && self.everyone.check().is_ok()
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/pairings", post(start_pairing))
        .route("/v1/token", post(poll_token))
        .route("/v1/heartbeat", post(heartbeat))
        .route("/v1/jobs/claim", post(claim_job))
        .route("/v1/jobs/{job}/files/{sha256}", put(upload_file))
        .route(
            "/v1/jobs/{job}/result",
            post(report_job).layer(DefaultBodyLimit::max(MAX_REPORT_BYTES)),
        )
        .route(
            "/v1/jobs/{job}/windows/{n}",
            post(report_window).layer(DefaultBodyLimit::max(MAX_REPORT_BYTES)),
        )
        .method_not_allowed_fallback(api::method_not_allowed)
        .fallback(api::not_found)
}

/// A PIN drawn from the OS's CSPRNG, every value equally likely.
fn draw_pin() -> Pin {
    loop {
        if let Some(pin) = Pin::from_number(OsRng.gen_range(0..Pin::SPACE)) {
            return pin;
        }
    }
}

async fn start_pairing(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(client): ApiJson<ClientInfo>,
) -> Result<Response, ApiError> {
    let address = super::client::address(peer.ip(), &headers, &state.settings.trusted_proxies);
    if !state.pairing_limiter.check(address) {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_pairings",
            "",
            "too many clients are starting to pair; try again in a minute",
        )
        .with_retry_after(60));
    }
    let handle = token::issue(TokenKind::Pairing);
    let (pin, pairing) = service::start(
        state.store.as_ref(),
        &client,
        &handle.hash,
        draw_pin,
        Utc::now(),
    )
    .await
    .map_err(|error| match error {
        StartError::BadClient(field) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_client_info",
            &format!("/{field}"),
            error.to_string(),
        ),
        StartError::Full => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_pairings",
            "",
            error.to_string(),
        )
        .with_retry_after(60),
        StartError::Store(store) => ApiError::internal(&store),
    })?;
    let started = PairingStarted {
        device_code: handle.secret,
        pin: pin.to_string(),
        expires_in: PIN_LIFETIME.as_secs(),
        interval: pairing.interval.as_secs(),
    };
    Ok((StatusCode::CREATED, Json(started)).into_response())
}

async fn poll_token(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<Response, ApiError> {
    // A handle of the wrong shape was never issued: no lookup.
    let answer = if token::is_well_formed(TokenKind::Pairing, &request.device_code) {
        let credential = token::issue(TokenKind::Link);
        let answer = service::poll(
            state.store.as_ref(),
            &token::hash(&request.device_code),
            &credential.hash,
            Utc::now(),
        )
        .await
        .map_err(|error| ApiError::internal(&error))?;
        if let Poll::Granted(integration) = answer {
            let granted = TokenGranted {
                credential: credential.secret,
                integration_id: integration.0,
            };
            return Ok(Json(granted).into_response());
        }
        answer
    } else {
        Poll::Expired
    };
    // RFC 8628 §3.5: a 400 naming why, the code in the envelope.
    let (detail, retry_after) = match answer {
        Poll::SlowDown { interval } => (
            format!(
                "polled too often: wait {} seconds between polls",
                interval.as_secs()
            ),
            Some(interval.as_secs()),
        ),
        Poll::Pending => ("nobody has entered the PIN yet".to_owned(), None),
        _ => (
            "this pairing expired or was used: start a new one".to_owned(),
            None,
        ),
    };
    let error = ApiError::new(
        StatusCode::BAD_REQUEST,
        answer.code().unwrap_or("expired_token"),
        "",
        detail,
    );
    Err(match retry_after {
        Some(seconds) => error.with_retry_after(seconds),
        None => error,
    })
}

fn link_revoked() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "link_revoked",
        "",
        "this installation is no longer connected: it pairs again with a new PIN",
    )
}

/// The hash of the link credential in `Authorization: Bearer …`, judged on
/// its shape before the body is read and before any lookup.
fn link_credential(headers: &HeaderMap) -> Result<Vec<u8>, ApiError> {
    let credential = api::bearer_secret(headers, "send the credential pairing gave as Bearer")?;
    if !token::is_well_formed(TokenKind::Link, credential) {
        return Err(link_revoked());
    }
    Ok(token::hash(credential))
}

/// Records a paired client's contact; the integration it serves.
async fn report_in(
    state: &AppState,
    credential_hash: &[u8],
    client: &ClientInfo,
) -> Result<domain::integration::IntegrationId, ApiError> {
    service::report_contact(state.store.as_ref(), credential_hash, client, Utc::now())
        .await
        .map_err(|error| match error {
            ContactError::BadClient(field) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_client_info",
                &format!("/{field}"),
                error.to_string(),
            ),
            ContactError::Revoked => link_revoked(),
            ContactError::Store(store) => ApiError::internal(&store),
        })
}

/// A paired client reports in.
async fn heartbeat(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Result<StatusCode, ApiError> {
    let credential = link_credential(request.headers())?;
    let ApiJson(client) = ApiJson::<ClientInfo>::from_request(request, &state).await?;
    report_in(&state, &credential, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

use domain::cloud_link::job::CLAIM_WAIT as MAX_CLAIM_WAIT;
/// How often a waiting claim looks again when no local scheduler says a
/// job was queued (another server process may have queued it).
const CLAIM_RECHECK: Duration = Duration::from_secs(2);

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClaimQuery {
    /// Seconds to wait for a job when none is waiting, 0 to 25 (default 25).
    #[param(minimum = 0, maximum = 25)]
    wait: Option<u64>,
}

/// A paired client reports in and asks for its next job, waiting up to
/// `wait` seconds for one (a long poll).
async fn claim_job(
    State(state): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let credential = link_credential(request.headers())?;
    let wait = match request.uri().query() {
        None => MAX_CLAIM_WAIT,
        Some(query) => serde_urlencoded::from_str::<ClaimQuery>(query)
            .ok()
            .and_then(|q| q.wait.map_or(Some(MAX_CLAIM_WAIT.as_secs()), Some))
            .filter(|&seconds| seconds <= MAX_CLAIM_WAIT.as_secs())
            .map(Duration::from_secs)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_query",
                    "/wait",
                    "wait is a number of seconds from 0 to 25",
                )
            })?,
    };
    let ApiJson(client) = ApiJson::<ClientInfo>::from_request(request, &state).await?;
    let integration = report_in(&state, &credential, &client).await?;
    let Some(_waiting) = WaitingClaims::enter(&state.waiting_claims, integration) else {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_claims",
            "",
            format!(
                "this installation has {MAX_WAITING_CLAIMS} claims waiting already: claim again when one ends"
            ),
        )
        .with_retry_after(5));
    };
    let schedule = state.settings.job_schedule;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        // Registered before looking, so a job queued meanwhile is not missed.
        let queued = state.jobs_queued.notified();
        let offer = state
            .store
            .claim_job(integration, &schedule, Utc::now())
            .await
            .map_err(|error| ApiError::internal(&error))?;
        if let Some(mut offer) = offer {
            // An import's password is kept sealed: opened for the client only.
            match domain::database::service::opened_for_client(
                offer.task.clone(),
                state.sealer.as_ref(),
            ) {
                Ok(task) => {
                    offer.task = task;
                    return Ok(Json(offer).into_response());
                }
                Err(error) => {
                    domain::database::service::end_unrunnable(
                        state.store.as_ref(),
                        integration,
                        JobId(offer.id),
                        &offer.task,
                        format!("server-{}", offer.report_key()),
                        &error.to_string(),
                        Utc::now(),
                    )
                    .await
                    .map_err(|error| ApiError::internal(&error))?;
                    continue;
                }
            }
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
        let _ = tokio::time::timeout((deadline - now).min(CLAIM_RECHECK), queued).await;
    }
}

#[derive(serde::Deserialize)]
struct FileQuery {
    name: String,
}

/// A client uploads one file of its import folder for a job, addressed by
/// its SHA-256: sending it again after a cut connection is safe.
async fn upload_file(
    State(state): State<AppState>,
    ApiPath((job, claimed)): ApiPath<(i64, String)>,
    request: axum::extract::Request,
) -> Result<Json<FileAccepted>, ApiError> {
    let credential = link_credential(request.headers())?;
    let claimed = Checksum::parse(&claimed).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_checksum",
            "/sha256",
            "the address ends with the file's SHA-256 in 64 lower-case hex digits",
        )
    })?;
    let name = request
        .uri()
        .query()
        .and_then(|query| serde_urlencoded::from_str::<FileQuery>(query).ok())
        .map(|query| query.name)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                "/name",
                "name is the file's name in the import folder",
            )
        })?;
    // Who is asking is known before the body is read.
    if state
        .store
        .link_holder(&credential)
        .await
        .map_err(|error| ApiError::internal(&error))?
        .is_none()
    {
        return Err(link_revoked());
    }
    let _permit = super::api::extract::UploadPermit::try_take(&state)?;
    let (parts, body) = request.into_parts();
    let max = usize::try_from(MAX_FILE_BYTES).unwrap_or(usize::MAX);
    let content = super::ingest::read_body(
        &parts.headers,
        body,
        max,
        "the client leaves larger files in the import folder and says so in its log",
    )
    .await?;
    let (received, stored) = tokio::task::spawn_blocking(move || {
        let digest = Checksum::of_digest(&Sha256::digest(&content));
        payload::encode_bytes(&content).map(|stored| (digest, stored, content.len()))
    })
    .await
    .map_err(|error| ApiError::internal(&error))?
    .map(|(digest, stored, size)| (digest, (stored, size)))
    .map_err(|error| ApiError::internal(&error))?;
    let ((encoding, body), size) = stored;
    let upload = Upload {
        job: JobId(job),
        name: &name,
        claimed: &claimed,
        received: &received,
        size: size as u64,
        encoding: encoding.as_str(),
        body: &body,
    };
    let outcome = service::receive_file(
        state.store.as_ref(),
        &credential,
        &upload,
        &state.settings.job_schedule,
        Utc::now(),
    )
    .await
    .map_err(|error| match error {
        FileError::Revoked => link_revoked(),
        FileError::BadName => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_file_name",
            "/name",
            error.to_string(),
        ),
        FileError::ChecksumMismatch => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "checksum_mismatch",
            "/sha256",
            error.to_string(),
        ),
        FileError::UnknownJob => unknown_job(),
        FileError::Store(store) => ApiError::internal(&store),
    })?;
    Ok(Json(FileAccepted {
        outcome: outcome.as_str().to_owned(),
    }))
}

fn unknown_job() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_job",
        "",
        "no job of this installation has this id",
    )
}

/// A client reports how a job ended, with an `Idempotency-Key`: sending
/// the same report again changes nothing.
async fn report_job(
    State(state): State<AppState>,
    ApiPath(job): ApiPath<i64>,
    request: axum::extract::Request,
) -> Result<StatusCode, ApiError> {
    let credential = link_credential(request.headers())?;
    let key = request
        .headers()
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    // An import's result may be large: read only for a live credential,
    // and only so many at once.
    state
        .store
        .link_holder(&credential)
        .await
        .map_err(|error| ApiError::internal(&error))?
        .ok_or_else(link_revoked)?;
    let _permit = UploadPermit::try_take(&state)?;
    let ApiJson(result) = ApiJson::<JobResult>::from_request(request, &state).await?;
    let imports = service::Imports {
        caps: state.settings.ingest_limits.caps,
        periods: state.settings.job_schedule.imports,
    };
    let reported = service::report(
        state.store.as_ref(),
        &credential,
        JobId(job),
        result,
        &key,
        imports,
        Utc::now(),
    )
    .await
    .map_err(|error| match error {
        ReportError::Revoked => link_revoked(),
        ReportError::UnknownJob => unknown_job(),
        ReportError::BadKey => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_idempotency_key",
            "",
            format!("send the Idempotency-Key header: {error}"),
        ),
        ReportError::Store(store) => ApiError::internal(&store),
    })?;
    match reported {
        Reported::Applied | Reported::Repeated => Ok(StatusCode::NO_CONTENT),
        Reported::AlreadyEnded => Err(ApiError::new(
            StatusCode::CONFLICT,
            "job_already_ended",
            "",
            "an earlier attempt already reported this job's end; nothing changed",
        )),
    }
}

/// Integrations' history windows take turns here: one applies at a time
/// per integration (a stripe of them), and a window that came before the
/// one ahead of it waits until another window was applied.
pub struct WindowTurns {
    stripes: Vec<WindowTurn>,
}

#[derive(Default)]
struct WindowTurn {
    applying: tokio::sync::Mutex<()>,
    applied: tokio::sync::Notify,
}

/// How often a window waiting for its turn looks again when no window of
/// this process was applied meanwhile.
const WINDOW_RECHECK: Duration = Duration::from_secs(1);

/// Stripes of `WindowTurns`: integrations share one only by chance, and
/// then merely apply one after the other.
const TURN_STRIPES: usize = 64;

impl Default for WindowTurns {
    fn default() -> Self {
        Self {
            stripes: (0..TURN_STRIPES).map(|_| WindowTurn::default()).collect(),
        }
    }
}

impl WindowTurns {
    fn of(&self, integration: domain::integration::IntegrationId) -> &WindowTurn {
        &self.stripes[integration.0.unsigned_abs() as usize % TURN_STRIPES]
    }
}

/// A client sends one window of a history job before the job's report,
/// while it reads the next, and may send the next before this one was
/// answered (ADR 0012): each is read at once, then applied in its turn,
/// once.
async fn report_window(
    State(state): State<AppState>,
    ApiPath((job, n)): ApiPath<(i64, usize)>,
    request: axum::extract::Request,
) -> Result<StatusCode, ApiError> {
    let credential = link_credential(request.headers())?;
    // A window's rows may be many: read only for a live credential, and
    // only so many at once.
    state
        .store
        .link_holder(&credential)
        .await
        .map_err(|error| ApiError::internal(&error))?
        .ok_or_else(link_revoked)?;
    let _permit = UploadPermit::try_take(&state)?;
    let ApiJson(table) = ApiJson::<ResultTable>::from_request(request, &state).await?;
    let imports = service::Imports {
        caps: state.settings.ingest_limits.caps,
        periods: state.settings.job_schedule.imports,
    };
    let store = state.store.as_ref();
    let applied = async {
        let sent =
            service::read_window(store, &credential, JobId(job), n, table, Utc::now()).await?;
        let turn = state.window_turns.of(sent.integration);
        let patience = tokio::time::Instant::now() + state.settings.job_schedule.window_patience;
        loop {
            // Registered before trying, so a window applied meanwhile
            // is not missed.
            let applied = turn.applied.notified();
            tokio::pin!(applied);
            applied.as_mut().enable();
            let tried = {
                let _applying = turn.applying.lock().await;
                service::apply_window(store, &sent, imports, Utc::now()).await
            };
            match tried {
                Err(WindowError::Early(_)) if tokio::time::Instant::now() < patience => {
                    // Another server process may apply the window ahead:
                    // no notice comes from there, so look again anyway.
                    let recheck = tokio::time::Instant::now() + WINDOW_RECHECK;
                    let _ = tokio::time::timeout_at(patience.min(recheck), applied).await;
                }
                other => {
                    turn.applied.notify_waiters();
                    return other;
                }
            }
        }
    }
    .await;
    applied.map_err(|error| {
        let (status, code) = match &error {
            WindowError::Revoked => return link_revoked(),
            WindowError::UnknownJob => return unknown_job(),
            WindowError::Store(store) => return ApiError::internal(store),
            WindowError::UnknownWindow(_) => (StatusCode::NOT_FOUND, "unknown_window"),
            WindowError::AlreadyEnded => (StatusCode::CONFLICT, "job_already_ended"),
            WindowError::Early(_) => (StatusCode::CONFLICT, "window_out_of_order"),
            WindowError::Refused(_) => (StatusCode::UNPROCESSABLE_ENTITY, "window_refused"),
        };
        ApiError::new(status, code, "", error.to_string())
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// A Cloud Link client starts pairing: it shows the PIN and keeps the `deviceCode` secret to poll with.
#[utoipa::path(post, path = "/cloud-link/v1/pairings", tag = "cloud-link",
    request_body = ClientInfo,
    responses(
        (status = 201, body = PairingStarted),
        (status = 400, body = api::ErrorEnvelope, description = "Not JSON"),
        (status = 415, body = api::ErrorEnvelope),
        (status = 422, body = api::ErrorEnvelope, description = "invalid_field: a field missing or of the wrong type; invalid_client_info: a field blank, longer than 255 characters or holding control characters"),
        (status = 429, body = api::ErrorEnvelope, description = "too_many_pairings: see Retry-After"),
        (status = 503, body = api::ErrorEnvelope, description = "too_many_pairings: too many clients waiting; see Retry-After"),
    ))]
pub async fn document_start_pairing() {}

/// A Cloud Link client polls for its credential (RFC 8628 §3.4), at most once per `interval`.
#[utoipa::path(post, path = "/cloud-link/v1/token", tag = "cloud-link",
    request_body = TokenRequest,
    responses(
        (status = 200, body = TokenGranted, description = "An admin entered the PIN: the credential, given once"),
        (status = 400, body = api::ErrorEnvelope, description = "authorization_pending (poll again after the interval), slow_down (the interval grew; see Retry-After) or expired_token (start a new pairing); also not JSON"),
        (status = 415, body = api::ErrorEnvelope),
        (status = 422, body = api::ErrorEnvelope, description = "invalid_field: deviceCode missing or not a string"),
    ))]
pub async fn document_poll_token() {}

/// A paired client reports in with its credential, every poll period; the page shows its last contact.
#[utoipa::path(post, path = "/cloud-link/v1/heartbeat", tag = "cloud-link",
    request_body = ClientInfo,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, body = api::ErrorEnvelope, description = "Not JSON"),
        (status = 401, body = api::ErrorEnvelope, description = "link_revoked: paired again elsewhere, disconnected or deleted; pair again"),
        (status = 415, body = api::ErrorEnvelope),
        (status = 422, body = api::ErrorEnvelope, description = "invalid_field or invalid_client_info"),
    ),
    security(("cloud_link_credential" = [])))]
pub async fn document_heartbeat() {}

/// A paired client reports in (as a heartbeat does) and claims its next job, waiting up to `wait` seconds for one.
#[utoipa::path(post, path = "/cloud-link/v1/jobs/claim", tag = "cloud-link",
    params(ClaimQuery),
    request_body = ClientInfo,
    responses(
        (status = 200, body = JobOffer, description = "A job, leased to this client for leaseSeconds"),
        (status = 204, description = "No job within the wait: claim again"),
        (status = 400, body = api::ErrorEnvelope, description = "invalid_query: wait is not 0 to 25; or not JSON"),
        (status = 401, body = api::ErrorEnvelope, description = "link_revoked: pair again"),
        (status = 415, body = api::ErrorEnvelope),
        (status = 422, body = api::ErrorEnvelope, description = "invalid_field or invalid_client_info"),
        (status = 429, body = api::ErrorEnvelope, description = "too_many_claims: this credential has claims waiting already; see Retry-After"),
    ),
    security(("cloud_link_credential" = [])))]
pub async fn document_claim_job() {}

/// A client uploads one file of its import folder for a job; the address carries the content's SHA-256, so sending it again is safe.
#[utoipa::path(put, path = "/cloud-link/v1/jobs/{job}/files/{sha256}", tag = "cloud-link",
    params(
        ("job" = i64, Path, description = "The job's id"),
        ("sha256" = String, Path, description = "The SHA-256 of the content, 64 lower-case hex digits", pattern = "^[0-9a-f]{64}$"),
        ("name" = String, Query, description = "The file's name in the import folder"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file as it is, at most 7 MiB"),
    responses(
        (status = 200, body = FileAccepted, description = "Kept (received), or known by its content already (duplicate); the same answer when sent again"),
        (status = 400, body = api::ErrorEnvelope, description = "invalid_checksum or invalid_query"),
        (status = 401, body = api::ErrorEnvelope, description = "link_revoked: pair again"),
        (status = 404, body = api::ErrorEnvelope, description = "unknown_job"),
        (status = 413, body = api::ErrorEnvelope, description = "payload_too_large"),
        (status = 503, body = api::ErrorEnvelope, description = "busy: too many uploads at once; send again after Retry-After"),
        (status = 422, body = api::ErrorEnvelope, description = "checksum_mismatch (cut or changed on the way: send again) or invalid_file_name"),
    ),
    security(("cloud_link_credential" = [])))]
pub async fn document_upload_file() {}

/// A client sends window `n` of a history job (every window but the last, which comes with the job's report) while it reads the next, and may send it before the window ahead of it was answered: applied in order, all or nothing; the same window again changes nothing.
#[utoipa::path(post, path = "/cloud-link/v1/jobs/{job}/windows/{n}", tag = "cloud-link",
    params(
        ("job" = i64, Path, description = "The job's id"),
        ("n" = u32, Path, description = "The window: 0 for the task's own, 1 for the first of `then`, …"),
    ),
    request_body = ResultTable,
    responses(
        (status = 204, description = "Applied (or applied before)"),
        (status = 400, body = api::ErrorEnvelope, description = "Not JSON"),
        (status = 401, body = api::ErrorEnvelope, description = "link_revoked: pair again"),
        (status = 404, body = api::ErrorEnvelope, description = "unknown_job; or unknown_window: the job has no such window sent on its own"),
        (status = 409, body = api::ErrorEnvelope, description = "job_already_ended; or window_out_of_order: the window before it was not imported within 30 s"),
        (status = 413, body = api::ErrorEnvelope, description = "payload_too_large: more than 48 MiB"),
        (status = 415, body = api::ErrorEnvelope),
        (status = 422, body = api::ErrorEnvelope, description = "window_refused: its rows do not read (the import history says why) and the job has ended; or invalid_field"),
        (status = 503, body = api::ErrorEnvelope, description = "busy: too many uploads at once; send again after Retry-After"),
    ),
    security(("cloud_link_credential" = [])))]
pub async fn document_report_window() {}

/// A client reports how a job ended, with `Idempotency-Key: job-{id}-{attempt}`; the same report again changes nothing.
#[utoipa::path(post, path = "/cloud-link/v1/jobs/{job}/result", tag = "cloud-link",
    params(
        ("job" = i64, Path, description = "The job's id"),
        ("Idempotency-Key" = String, Header, description = "job-{id}-{attempt} from the offer"),
    ),
    request_body = JobResult,
    responses(
        (status = 204, description = "Recorded (or recorded before with this key)"),
        (status = 400, body = api::ErrorEnvelope, description = "invalid_idempotency_key; or not JSON"),
        (status = 401, body = api::ErrorEnvelope, description = "link_revoked: pair again"),
        (status = 404, body = api::ErrorEnvelope, description = "unknown_job"),
        (status = 409, body = api::ErrorEnvelope, description = "job_already_ended: an earlier attempt reported first"),
        (status = 415, body = api::ErrorEnvelope),
        (status = 422, body = api::ErrorEnvelope, description = "invalid_field"),
    ),
    security(("cloud_link_credential" = [])))]
pub async fn document_report_job() {}
