//! TLS to the relay, for both `smtps://` and STARTTLS: we open the TCP stream ourselves
//! (TCP_NODELAY) and run the handshake with tokio-rustls. The trust store matches lettre's: the
//! platform verifier, plus any extra roots the relay was given.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;

/// A client config like lettre's: the process's default crypto provider (else ring), TLS 1.2
/// and 1.3, certificates checked by the platform verifier with `extra_roots` added.
pub(super) fn client_config(
    extra_roots: Vec<CertificateDer<'static>>,
) -> Result<Arc<rustls::ClientConfig>, rustls::Error> {
    let provider = CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
    let verifier =
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra_roots, provider.clone())?;
    // `dangerous()` is only rustls' door for a custom verifier; this one checks fully.
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}
