//! `clinic-kiosk callbacks export`: the callback requests as CSV, for the clinic's records.

use std::path::Path;

/// `callbacks export`: every request as CSV to `out` (stdout when `None`), recorded in the
/// audit log; returns the exit code.
pub(super) fn export(out: Option<&Path>) -> i32 {
    let result = (|| -> Result<usize, String> {
        let conn = super::kiosk_db()?;
        let rows = match out {
            Some(path) => {
                let file = std::fs::File::create(path)
                    .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                crate::callbacks::queue::export_csv(&conn, std::io::BufWriter::new(file))
            }
            None => crate::callbacks::queue::export_csv(&conn, std::io::stdout().lock()),
        }
        .map_err(|e| e.to_string())?;
        crate::callbacks::audit::record(
            &conn,
            crate::callbacks::now_ms(),
            "command line",
            "export",
            None,
            Some(&format!("{rows} row(s)")),
        )
        .map_err(|e| e.to_string())?;
        Ok(rows)
    })();
    match result {
        Ok(rows) => {
            eprintln!("exported {rows} request(s)");
            0
        }
        Err(message) => {
            eprintln!("clinic-kiosk: {message}");
            1
        }
    }
}
