//! The Content-Security-Policy of every answer. A page runs only the
//! scripts it was rendered with — the hydration script and the serialised
//! data, each carrying a nonce made fresh for that response — and script
//! files of our own origin, plus compiling our WebAssembly. Markup slipped
//! into a name could not run even if it ever reached a page unescaped.

/// The directives every answer carries: never framed, no `<base>`
/// elsewhere, forms post only here, no plugins.
const EVERY_ANSWER: &str =
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// The policy for a page rendered with `nonce`, or, without one, for an
/// answer that runs no script at all (JSON, the API reference).
pub fn content_security_policy(nonce: Option<&str>) -> String {
    match nonce {
        Some(nonce) => {
            format!("{EVERY_ANSWER}; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'")
        }
        None => format!("{EVERY_ANSWER}; script-src 'none'"),
    }
}

/// Sends the policy of the page being rendered, with the nonce leptos_axum
/// made for it and put on the page's inline scripts.
#[cfg(feature = "ssr")]
pub fn send_page_policy() {
    use leptos::prelude::use_context;
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(policy) = http::HeaderValue::from_str(&content_security_policy(Some(&nonce))) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, policy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_may_run_its_own_scripts_and_an_answer_without_a_nonce_none() {
        let page = content_security_policy(Some("abc"));
        assert!(page.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"));
        assert!(page.starts_with(EVERY_ANSWER));
        assert!(content_security_policy(None).ends_with("script-src 'none'"));
    }
}
