//! SMART Backend Services (HL7 SMART App Launch 2, "Backend Services"): how an EHR's FHIR
//! endpoint lets a system with no user, such as a lobby kiosk, in. The kiosk asks the EHR's
//! token endpoint for an access token with the OAuth 2.0 client-credentials grant and proves
//! who it is with a short-lived JWT it signs with its own private key (ES384; the EHR holds
//! the public key, registered for the client id). The token is kept until shortly before it
//! expires, then a new one is asked for.
//!
//! Signing is ring's ECDSA P-384 with SHA-384 in the fixed-length form JWS wants (r and s,
//! 48 bytes each); the JWT is three base64url parts joined by dots, which needs no JWT
//! library. The key is read from a PKCS#8 PEM file (`openssl genpkey -algorithm EC -pkeyopt
//! ec_paramgen_curve:P-384`) at each token request, never kept in memory between them.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::signature::{EcdsaKeyPair, ECDSA_P384_SHA384_FIXED_SIGNING};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::PrivatePkcs8KeyDer;
use serde_json::json;

/// The `client_assertion_type` of a JWT client assertion (RFC 7523).
pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long the signed assertion is good for: SMART asks for at most five minutes.
const ASSERTION_SECONDS: i64 = 300;

/// A token is renewed this long before the EHR says it expires (or at half its life, when
/// that is sooner), so no request goes out with a token about to lapse.
const RENEW_BEFORE_MS: i64 = 60_000;

/// The kiosk's registration at the EHR's authorization server.
#[derive(Clone, PartialEq, Eq)]
pub struct Client {
    /// The token endpoint (`token_endpoint` of the EHR's `.well-known/smart-configuration`).
    pub token_url: String,
    /// The client id the EHR gave this kiosk (the JWT's `iss` and `sub`).
    pub client_id: String,
    /// The PKCS#8 PEM file of the kiosk's P-384 private key.
    pub key_file: PathBuf,
    /// The key's id in the kiosk's JWK set (the JWT's `kid`).
    pub key_id: String,
    /// The scopes asked for, such as `system/CommunicationRequest.write`.
    pub scope: String,
}

// The key file's path is not secret, but keep Debug output in step with the rest.
impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("key_id", &self.key_id)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// The P-384 key in the PKCS#8 PEM file `path`. `Err` says why for IT (never the key).
pub fn read_key(path: &Path) -> Result<EcdsaKeyPair, String> {
    let pem = std::fs::read(path)
        .map_err(|e| format!("the SMART key file {} cannot be read: {e}", path.display()))?;
    let der = PrivatePkcs8KeyDer::from_pem_slice(&pem).map_err(|_| {
        format!(
            "the SMART key file {} is not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)",
            path.display()
        )
    })?;
    EcdsaKeyPair::from_pkcs8(
        &ECDSA_P384_SHA384_FIXED_SIGNING,
        der.secret_pkcs8_der(),
        &ring::rand::SystemRandom::new(),
    )
    .map_err(|_| {
        format!(
            "the SMART key file {} is not an EC P-384 key (ES384); make one with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384`",
            path.display()
        )
    })
}

/// The signed client assertion for `client` at `now_ms` (Unix ms), with `jti` as its
/// unique id: `header.claims.signature`, each base64url without padding.
pub fn assertion(client: &Client, key: &EcdsaKeyPair, now_ms: i64, jti: &str) -> String {
    let header = json!({ "alg": "ES384", "typ": "JWT", "kid": client.key_id });
    let claims = json!({
        "iss": client.client_id,
        "sub": client.client_id,
        "aud": client.token_url,
        "exp": now_ms.div_euclid(1000) + ASSERTION_SECONDS,
        "jti": jti,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key
        .sign(&ring::rand::SystemRandom::new(), signing_input.as_bytes())
        .expect("ECDSA signing with the system's random numbers");
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.as_ref())
    )
}

/// Access tokens got from token endpoints, by destination id, with when to renew each.
#[derive(Debug, Default)]
pub struct Tokens {
    cache: Mutex<std::collections::HashMap<String, (String, i64)>>,
}

impl Tokens {
    /// The access token for destination `id` at `now_ms`: the cached one while it is good,
    /// else a new one from `client`'s token endpoint. `Err` is a reason for staff and the
    /// log (the endpoint's status and OAuth error code; never a token or key).
    pub async fn get(
        &self,
        http: &reqwest::Client,
        id: &str,
        client: &Client,
        now_ms: i64,
    ) -> Result<String, String> {
        if let Ok(cache) = self.cache.lock() {
            if let Some((token, renew_at)) = cache.get(id) {
                if now_ms < *renew_at {
                    return Ok(token.clone());
                }
            }
        }
        let (token, expires_in) = request_token(http, client, now_ms).await?;
        let life_ms = expires_in.saturating_mul(1000);
        let renew_at = now_ms + (life_ms - RENEW_BEFORE_MS).min(life_ms / 2);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(id.to_string(), (token.clone(), renew_at));
        }
        Ok(token)
    }

    /// Forgets destination `id`'s token (the FHIR server refused it: ask for a new one).
    pub fn forget(&self, id: &str) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(id);
        }
    }
}

/// One client-credentials token request: the token and its lifetime in seconds.
async fn request_token(
    http: &reqwest::Client,
    client: &Client,
    now_ms: i64,
) -> Result<(String, i64), String> {
    let key = read_key(&client.key_file)?;
    let jti = uuid::Uuid::new_v4().to_string();
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("scope", &client.scope)
        .append_pair("client_assertion_type", ASSERTION_TYPE)
        .append_pair("client_assertion", &assertion(client, &key, now_ms, &jti))
        .finish();
    let response = http
        .post(&client.token_url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "the SMART token endpoint did not answer in time".to_string()
            } else {
                "cannot reach the SMART token endpoint".to_string()
            }
        })?;
    let status = response.status().as_u16();
    let answer: serde_json::Value = response.json().await.unwrap_or_default();
    if !(200..300).contains(&status) {
        // RFC 6749 5.2: `error` is a short ASCII code such as invalid_client.
        let code: String = answer["error"]
            .as_str()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(40)
            .collect();
        return Err(
            format!("the SMART token endpoint refused the kiosk: HTTP {status} {code}")
                .trim_end()
                .to_string(),
        );
    }
    match (
        answer["access_token"].as_str(),
        answer["expires_in"].as_i64(),
    ) {
        (Some(token), expires_in) if !token.is_empty() => Ok((
            token.to_string(),
            expires_in.unwrap_or(300).clamp(1, 86_400),
        )),
        _ => Err("the SMART token endpoint gave no access_token".into()),
    }
}
