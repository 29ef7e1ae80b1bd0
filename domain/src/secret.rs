//! Secrets the console issues (API keys, personal access tokens), as the
//! rules see them: the hash and a prefix to show, never the secret itself.

/// What is stored of a new secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSecret {
    pub hash: Vec<u8>,
    pub display_prefix: String,
}

/// A secret just made: `secret` is shown once, then only `stored` remains.
pub struct IssuedSecret {
    pub secret: String,
    pub stored: NewSecret,
}

impl std::fmt::Debug for IssuedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedSecret")
            .field("stored", &self.stored)
            .finish_non_exhaustive()
    }
}

/// Makes secrets; the server implements it with the OS random generator.
pub trait SecretIssuer: Send + Sync + 'static {
    fn api_key(&self) -> IssuedSecret;
    fn personal_token(&self) -> IssuedSecret;
}

/// An integration's current API key, as the edit page shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApiKeyInfo {
    pub display_prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}
