//! TLS for `--ssl` over TCP (Eucalyptus' pg_hba.conf admits TCP clients only as `hostssl`):
//! rustls with the ring provider, the kit's TLS stack. The server's certificate is verified
//! against the system's CAs plus `--ca-file` (Eucalyptus' PostgreSQL certificate is its own,
//! so that is usually the file to give), unless `--insecure`.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::Path;
use std::sync::Arc;

/// Most a CA file may be: a system bundle is about 200 KiB.
const CA_FILE_CAP: u64 = 1024 * 1024;

/// The client configuration, or why it cannot be made (a CA file that is no PEM, an empty one).
pub fn client_config(ca_file: Option<&Path>, insecure: bool) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?;
    if insecure {
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
            .with_no_client_auth());
    }
    let mut roots = RootCertStore::empty();
    // The system store may be absent on a minimal host; --ca-file alone is then enough.
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(file) = ca_file {
        let shown = file.display();
        let text = read_capped(file).map_err(|why| format!("cannot read {shown}: {why}"))?;
        let mut added = 0;
        for cert in rustls_pemfile::certs(&mut text.as_slice()) {
            let cert =
                cert.map_err(|_| format!("cannot read {shown}: not a PEM certificate file"))?;
            roots
                .add(cert)
                .map_err(|e| format!("cannot read {shown}: {e}"))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!("cannot read {shown}: no certificate in it"));
        }
    }
    Ok(builder.with_root_certificates(roots).with_no_client_auth())
}

fn read_capped(file: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let f = std::fs::File::open(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    })?;
    let mut buf = Vec::new();
    f.take(CA_FILE_CAP + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() as u64 > CA_FILE_CAP {
        return Err("larger than 1 MiB, not a CA file".into());
    }
    Ok(buf)
}

/// `--insecure`: any certificate is taken, but the handshake's signatures are still checked
/// (the connection is encrypted to whoever holds the key it shows).
#[derive(Debug)]
struct AcceptAny(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
