//! `[metrics]`: where the health metrics for Prometheus are written (issue #15).

use std::path::PathBuf;

use super::reader::Reader;
use super::Config;

/// Where Debian's `prometheus-node-exporter` points its textfile collector.
const DEBIAN_TEXTFILE_DIR: &str = "/var/lib/prometheus/node-exporter";

/// Reads `[metrics]` of `root` into `config.metrics_textfile_dir`.
pub(super) fn read(r: &mut Reader<'_>, root: &toml::Table, config: &mut Config) {
    let Some(t) = r.table(root, "metrics") else {
        return;
    };
    r.unknown_keys(t, "metrics", &["textfile_dir"]);
    if let Some(dir) = r.string(t, "metrics", "textfile_dir") {
        config.metrics_textfile_dir = r.check("metrics.textfile_dir", textfile_dir(&dir));
    }
}

/// `metrics.textfile_dir`: an existing folder given by its absolute path (what the node
/// exporter's `--collector.textfile.directory` names).
fn textfile_dir(dir: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(dir);
    if !path.is_absolute() {
        Err(format!(
            "`{dir}` is not an absolute path; give the node exporter's textfile folder, such as \"{DEBIAN_TEXTFILE_DIR}\""
        ))
    } else if !path.is_dir() {
        Err(format!(
            "`{dir}` is not a folder; install prometheus-node-exporter (it makes {DEBIAN_TEXTFILE_DIR}) or create the folder its --collector.textfile.directory names"
        ))
    } else {
        Ok(path)
    }
}
