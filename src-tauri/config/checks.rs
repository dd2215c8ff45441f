//! What a config value means, checked apart from reading it: each check takes the value as
//! read and returns it ready for [`super::Config`], or the message for the problem list.

use std::path::{Path, PathBuf};

use super::Mode;

/// The least contrast the accent colour may have with white text: WCAG 2.2 success
/// criterion 1.4.3 (Contrast, Minimum, level AA) asks 4.5:1 for normal text.
pub const MIN_CONTRAST: f64 = 4.5;

/// The WCAG 2.x contrast ratio between two `#rrggbb` colours, from 1 to 21 (relative
/// luminance with the sRGB transfer function); `None` when either is not `#rrggbb`.
pub fn contrast(a: &str, b: &str) -> Option<f64> {
    fn luminance(hex: &str) -> Option<f64> {
        let hex = hex.strip_prefix('#')?;
        if hex.len() != 6 {
            return None;
        }
        let channel = |i: usize| -> Option<f64> {
            let v = u8::from_str_radix(&hex[i..i + 2], 16).ok()? as f64 / 255.0;
            Some(if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            })
        };
        Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
    }
    let (la, lb) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

/// `mode`: `kiosk`, `front-desk` or `windowed`.
pub(super) fn mode(text: &str) -> Result<Mode, String> {
    match text {
        "kiosk" => Ok(Mode::Kiosk),
        "front-desk" => Ok(Mode::FrontDesk),
        "windowed" => Ok(Mode::Windowed),
        other => Err(format!(
            "`{other}` is not a mode; use kiosk, front-desk or windowed"
        )),
    }
}

/// `clinic.name`: at most 80 characters, so it fits the home screen.
pub(super) fn clinic_name(name: String) -> Result<String, String> {
    if name.chars().count() > 80 {
        Err("is longer than 80 characters; shorten it for the home screen".into())
    } else {
        Ok(name)
    }
}

/// `clinic.logo`, relative to the folder of the config file: an existing `.png` or `.svg`
/// of at most [`super::LOGO_MAX_BYTES`].
pub(super) fn logo(config_dir: &Path, logo: &str) -> Result<PathBuf, String> {
    let full = config_dir.join(logo);
    let ext = full
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(ext.as_str(), "png" | "svg") {
        Err("must be a .png or .svg file".into())
    } else if !full.is_file() {
        Err(format!(
            "`{}` does not exist; give a path relative to the config file",
            full.display()
        ))
    } else if std::fs::metadata(&full).map(|m| m.len()).unwrap_or(0) > super::LOGO_MAX_BYTES {
        Err(format!(
            "`{}` is larger than {} KB; use a smaller image",
            full.display(),
            super::LOGO_MAX_BYTES / 1024
        ))
    } else {
        Ok(full)
    }
}

/// `clinic.phone`: its digits, at least 6 of them.
pub(super) fn clinic_phone_digits(phone: &str) -> Result<String, String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 {
        Err(
            "must be the clinic's phone number with at least 6 digits, such as \"+1 201 555 0100\""
                .into(),
        )
    } else {
        Ok(digits)
    }
}

/// `clinic.accent_colour`: `#rrggbb` with at least [`MIN_CONTRAST`] against white text,
/// lower-cased.
pub(super) fn accent_colour(colour: &str) -> Result<String, String> {
    match contrast(colour, "#ffffff") {
        None => Err("must be a colour like \"#0b5f6b\"".into()),
        Some(ratio) if ratio < MIN_CONTRAST => Err(format!(
            "{colour} has a contrast of {ratio:.1}:1 with white text; WCAG AA needs 4.5:1, so choose a darker colour"
        )),
        Some(_) => Ok(colour.to_ascii_lowercase()),
    }
}

/// `callbacks.phone_region`: an ISO 3166 alpha-2 code the phone library knows, upper-cased.
pub(super) fn phone_region(region: &str) -> Result<String, String> {
    let upper = region.to_ascii_uppercase();
    match upper.parse::<phonenumber::country::Id>() {
        Ok(_) => Ok(upper),
        Err(_) => Err(format!(
            "`{region}` is not a country code; use two letters such as US"
        )),
    }
}

/// `callbacks.export_dir`, relative to the folder of the config file: an existing folder.
pub(super) fn export_dir(config_dir: &Path, dir: &str) -> Result<PathBuf, String> {
    let full = config_dir.join(dir);
    if full.is_dir() {
        Ok(full)
    } else {
        Err(format!(
            "`{}` is not a folder; give an existing folder (absolute, or relative to the config file)",
            full.display()
        ))
    }
}

/// A slot's `hours`: `"09:00-12:00"` as minutes from midnight, start before end.
pub(super) fn slot_hours(text: &str) -> Result<(u16, u16), String> {
    crate::callbacks::settings::parse_hours(text).ok_or_else(|| {
        format!("`{text}` is not a window such as \"09:00-12:00\" (start before end)")
    })
}

/// One of `content.trusted_keys`: a public key as `clinic-kiosk content keygen` prints it.
pub(super) fn trusted_key(key: Option<&str>) -> Result<String, String> {
    match key.filter(|k| crate::pack::parse_public(k).is_some()) {
        Some(k) => Ok(k.trim().to_string()),
        None => Err("is not a public key printed by `clinic-kiosk content keygen`".into()),
    }
}

/// `front_desk.listen`: an address and port.
pub(super) fn listen(listen: &str) -> Result<std::net::SocketAddr, String> {
    listen
        .parse()
        .map_err(|_| format!("`{listen}` is not an address and port such as \"0.0.0.0:8470\""))
}

/// A destination's `url`: `https://`, or `http://` to this machine only (tests, a local
/// relay). Nothing personal may cross a network in clear.
pub(super) fn delivery_url(value: &str) -> Result<String, String> {
    let url = url::Url::parse(value)
        .map_err(|err| format!("`{value}` is not a URL ({err}); write it as https://host/path"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(value.to_string()),
        "http" if loopback => Ok(value.to_string()),
        "http" => Err(format!(
            "`{value}` is plain http: patients' details would cross the network unencrypted; use https://"
        )),
        _ => Err(format!("`{value}` must start with https://")),
    }
}

/// A FHIR destination's `identifier_system`: an absolute URI (a scheme and the rest, such
/// as `https://clinic.example/callback-request` or `urn:oid:1.2.3`), with no spaces, as
/// FHIR's `uri` type requires. Anything else makes every search for the request's
/// identifier miss, so each retry would create another request.
pub(super) fn identifier_system(value: &str) -> Result<String, String> {
    let fix = "write an absolute URI the clinic owns, such as \"https://clinic.example/callback-request\" or \"urn:oid:...\"";
    if value.chars().any(char::is_whitespace) {
        return Err(format!("`{value}` has a space in it; {fix}"));
    }
    match url::Url::parse(value) {
        Ok(_) => Ok(value.to_string()),
        Err(_) => Err(format!("`{value}` is not an absolute URI; {fix}")),
    }
}

/// A FHIR destination's `token_file`, relative to the folder of the config file: a file
/// readable by its owner only (not by its group or others: it holds a password-like
/// token) whose text is the token alone. Not the token's value: only the path is returned.
pub(super) fn token_file(config_dir: &Path, file: &str) -> Result<PathBuf, String> {
    let full = private_file(config_dir, file)?;
    crate::delivery::fhir::read_token(&full)?;
    Ok(full)
}

/// A FHIR destination's `smart_key_file`, relative to the folder of the config file: a
/// private file holding an EC P-384 key in PKCS#8 PEM.
pub(super) fn smart_key_file(config_dir: &Path, file: &str) -> Result<PathBuf, String> {
    let full = private_file(config_dir, file)?;
    crate::delivery::smart::read_key(&full)?;
    Ok(full)
}

/// `file` (relative to `config_dir`): an existing file only its owner can read.
fn private_file(config_dir: &Path, file: &str) -> Result<PathBuf, String> {
    let full = config_dir.join(file);
    let meta = std::fs::metadata(&full).map_err(|e| {
        format!(
            "`{}` cannot be read ({e}); write the secret into it, then `chmod 600` it and give it to the kiosk's user",
            full.display()
        )
    })?;
    if !meta.is_file() {
        return Err(format!("`{}` is not a file", full.display()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "`{}` can be read by other users (mode {mode:o}); run `chmod 600 {}` so only the kiosk's user can read the token",
                full.display(),
                full.display()
            ));
        }
    }
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_the_wcag_examples() {
        let black_white = contrast("#000000", "#ffffff").unwrap_or(0.0);
        assert!((black_white - 21.0).abs() < 0.01, "{black_white}");
        let teal = contrast("#0b5f6b", "#ffffff").unwrap_or(0.0);
        assert!(teal > 4.5, "{teal}");
        assert!(contrast("#ffcc00", "#ffffff").unwrap_or(9.0) < 4.5);
        assert_eq!(contrast("teal", "#ffffff"), None);
    }
}
