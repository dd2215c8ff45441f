//! Pairing a kiosk with the front-desk laptop by a short code, safely over a network nobody
//! vouches for. Both sides run SPAKE2 with the code as the password: someone in the middle
//! who does not know the code learns nothing and cannot finish, and each try tests one code
//! only when the laptop checks its proof. An address gets [`MAX_TRIES`] wrong tries per code,
//! and a code takes [`MAX_WRONG_PER_CODE`] wrong tries in all before it closes: a guess
//! succeeds at most 30 times in a million per code shown. The proofs cover the laptop's certificate fingerprint
//! as the kiosk saw it, so the kiosk pins the real laptop's certificate, not an impostor's.
//! Both sides then derive the secret that signs every request.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use spake2::{Ed25519Group, Identity, Password, Spake2};

/// Digits in a pairing code.
pub const CODE_DIGITS: u32 = 6;
/// How long a code shown on the laptop can be used.
pub const CODE_TTL_MS: i64 = 10 * 60_000;
/// Wrong codes from one address before it is refused (until a new code is shown).
pub const MAX_TRIES: u32 = 3;
/// Wrong codes from all addresses together before the code closes.
pub const MAX_WRONG_PER_CODE: u32 = 30;
/// Pairings started and not yet confirmed, at most, in all ...
pub const MAX_PENDING: usize = 32;
/// ... and from one address (its oldest makes way).
pub const MAX_PENDING_PER_SOURCE: usize = 2;
/// How long the laptop waits for a started pairing's second step.
pub const PENDING_TTL_MS: i64 = 30_000;

const IDENTITY: &[u8] = b"clinic-kiosk front-desk pairing v1";

type HmacSha256 = Hmac<Sha256>;

/// A fresh code from the OS's random source, such as "048213".
pub fn new_code() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 10u128.pow(CODE_DIGITS);
    format!("{n:0width$}", width = CODE_DIGITS as usize)
}

/// A secret no one can type or guess (48 random digits; [`normalise`] keeps digits only):
/// what the laptop pairs against when no code is open, so that its answer does not say
/// whether one is.
pub fn unguessable() -> String {
    let mut bytes = [0u8; 48];
    getrandom::fill(&mut bytes).expect("the OS random source works");
    bytes.iter().map(|b| char::from(b'0' + b % 10)).collect()
}

/// Codes are typed by people: spaces and dashes do not count.
pub fn normalise(code: &str) -> String {
    code.chars().filter(char::is_ascii_digit).collect()
}

/// One side's half of the exchange: its state and the message to send.
pub fn start(code: &str) -> (Spake2<Ed25519Group>, Vec<u8>) {
    Spake2::<Ed25519Group>::start_symmetric(
        &Password::new(normalise(code).as_bytes()),
        &Identity::new(IDENTITY),
    )
}

/// The shared key, from this side's state and the other side's message. Both sides get the
/// same key only if both used the same code.
pub fn finish(state: Spake2<Ed25519Group>, theirs: &[u8]) -> Option<Vec<u8>> {
    state.finish(theirs).ok()
}

fn mac(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac
}

/// `role` ("kiosk" or "laptop") proves it holds the key, bound to the certificate and kiosk.
pub fn proof(key: &[u8], role: &str, fingerprint: &str, kiosk_id: &str) -> String {
    hex::encode(
        mac(
            key,
            &[role.as_bytes(), fingerprint.as_bytes(), kiosk_id.as_bytes()],
        )
        .finalize()
        .into_bytes(),
    )
}

/// Checks a proof in constant time.
pub fn check(key: &[u8], role: &str, fingerprint: &str, kiosk_id: &str, given: &str) -> bool {
    let Ok(given) = hex::decode(given) else {
        return false;
    };
    mac(
        key,
        &[role.as_bytes(), fingerprint.as_bytes(), kiosk_id.as_bytes()],
    )
    .verify_slice(&given)
    .is_ok()
}

/// The secret that signs this kiosk's requests to this laptop (hex, 64 characters).
pub fn delivery_secret(key: &[u8]) -> String {
    hex::encode(mac(key, &[b"delivery-secret"]).finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_six_digits() {
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(code.len(), 6);
            assert!(code.chars().all(|c| c.is_ascii_digit()));
        }
        assert_eq!(normalise(" 048-213 "), "048213");
    }

    #[test]
    fn the_same_code_gives_the_same_key_and_another_code_does_not() {
        let (kiosk, to_laptop) = start("048213");
        let (laptop, to_kiosk) = start("048 213");
        let a = finish(kiosk, &to_kiosk).expect("kiosk key");
        let b = finish(laptop, &to_laptop).expect("laptop key");
        assert_eq!(a, b);
        assert_eq!(delivery_secret(&a), delivery_secret(&b));

        let p = proof(&a, "kiosk", "fp", "k1");
        assert!(check(&b, "kiosk", "fp", "k1", &p));
        assert!(
            !check(&b, "laptop", "fp", "k1", &p),
            "roles are not interchangeable"
        );
        assert!(
            !check(&b, "kiosk", "another-cert", "k1", &p),
            "a different certificate fails"
        );

        let (kiosk, to_laptop) = start("048213");
        let (laptop, to_kiosk) = start("999999");
        let a = finish(kiosk, &to_kiosk).expect("a key, but not the laptop's");
        let b = finish(laptop, &to_laptop).expect("a key, but not the kiosk's");
        assert_ne!(a, b);
        assert!(!check(
            &b,
            "kiosk",
            "fp",
            "k1",
            &proof(&a, "kiosk", "fp", "k1")
        ));
    }
}
