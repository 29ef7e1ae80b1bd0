//! `GET /account/downloads/{file}`: the Cloud Link client packed for the
//! console address the request came to, for signed-in users (the page
//! guard sends others to sign in), and the list the integration page
//! shows with each archive's SHA-256.

use std::{future::Future, pin::Pin, sync::Arc};

use app::api::DownloadView;
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};

use super::AppState;
use crate::downloads::{console_url, Archive, Downloads, Platform};

pub async fn download(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(platform) = Platform::from_file_name(&file) else {
        return (StatusCode::NOT_FOUND, "no such download").into_response();
    };
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok());
    let Some(url) = console_url(state.settings.public_origin.as_deref(), host) else {
        return (
            StatusCode::BAD_REQUEST,
            "the console's address is unknown: set INTAKE_PUBLIC_URL",
        )
            .into_response();
    };
    let Some(packed) = state.downloads.for_console(&url).await else {
        return (
            StatusCode::NOT_FOUND,
            "this build has no Cloud Link downloads: `make downloads` makes them",
        )
            .into_response();
    };
    let archive = packed.archive(platform);
    (
        [
            (header::CONTENT_TYPE, Archive::mime(platform).to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", platform.file_name()),
            ),
            (header::CACHE_CONTROL, "private, no-cache".to_owned()),
        ],
        archive.bytes.clone(),
    )
        .into_response()
}

/// What the integration page lists.
pub struct ForPages {
    pub downloads: Arc<Downloads>,
    pub public_origin: Option<String>,
}

impl app::context::ClientDownloads for ForPages {
    fn list(
        &self,
        host: Option<String>,
    ) -> Pin<Box<dyn Future<Output = Vec<DownloadView>> + Send>> {
        let downloads = self.downloads.clone();
        let url = console_url(self.public_origin.as_deref(), host.as_deref());
        Box::pin(async move {
            let Some(url) = url else {
                return Vec::new();
            };
            let Some(packed) = downloads.for_console(&url).await else {
                return Vec::new();
            };
            Platform::ALL
                .into_iter()
                .map(|platform| {
                    let archive = packed.archive(platform);
                    DownloadView {
                        platform: platform.as_str().to_owned(),
                        href: format!("/account/downloads/{}", platform.file_name()),
                        file_name: platform.file_name().to_owned(),
                        size: archive.bytes.len() as u64,
                        sha256: archive.sha256.clone(),
                    }
                })
                .collect()
        })
    }
}
