//! `clinic-kiosk search`: what the kiosk would find, for checking content and synonyms.

use std::path::Path;

use crate::{library, paths};

/// `search`: up to `limit` results for `words` in `lang`, as JSON on stdout, from the
/// library built from `content_dir` (rebuilt first when the content changed).
pub(super) fn search(words: &str, lang: &str, limit: usize, content_dir: &Path) -> i32 {
    let db = paths::data_dir(None).join(paths::LIBRARY_DB);
    let lib = match library::open_or_build(content_dir, &db) {
        Ok((lib, _)) => lib,
        Err(err) => {
            eprintln!("clinic-kiosk: {err}");
            return 1;
        }
    };
    match lib.search(words, lang, limit) {
        Ok(results) => {
            let json =
                serde_json::to_string_pretty(&results.results).unwrap_or_else(|_| "[]".into());
            println!("{json}");
            if let Some(suggestion) = results.did_you_mean {
                eprintln!("no results; did you mean: {suggestion}");
            }
            0
        }
        Err(err) => {
            eprintln!("clinic-kiosk: {err}");
            1
        }
    }
}
