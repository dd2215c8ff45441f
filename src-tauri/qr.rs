//! QR codes made offline, so a patient can take an article home on their phone.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG QR code for `url`, or an empty string when the URL is too long to encode.
pub fn svg(url: &str) -> String {
    match QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_an_svg_for_a_url() {
        let s = svg("https://clinic.example/articles/herniated-disc");
        assert!(s.contains("<svg"), "{s}");
        assert!(s.contains("#000000"));
    }

    #[test]
    fn different_urls_give_different_codes() {
        assert_ne!(
            svg("https://clinic.example/a"),
            svg("https://clinic.example/b")
        );
    }
}
