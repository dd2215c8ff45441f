//! Where the log goes: stderr always, and for the kiosk window a file a day.

use tracing_subscriber::Layer;

use crate::paths;

/// Days of log files kept in the data folder's `logs/`.
const LOG_DAYS: usize = 14;

/// Logs go to stderr, and for the kiosk window also to a file a day in the data folder's
/// `logs/`, the oldest deleted after [`LOG_DAYS`]. Nothing a patient types is ever logged.
pub(super) fn init_logging(to_file: bool) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("CLINIC_KIOSK_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,clinic_kiosk=info"))
    };
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    let (file, guard) = if to_file {
        let dir = paths::data_dir(None).join("logs");
        let _ = std::fs::create_dir_all(&dir);
        match tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("clinic-kiosk")
            .filename_suffix("log")
            .max_log_files(LOG_DAYS)
            .build(&dir)
        {
            Ok(appender) => {
                let (writer, guard) = tracing_appender::non_blocking(appender);
                let layer = tracing_subscriber::fmt::layer()
                    .with_writer(writer)
                    .with_ansi(false)
                    .with_filter(filter());
                (Some(layer), Some(guard))
            }
            Err(err) => {
                eprintln!("clinic-kiosk: no log file in {}: {err}", dir.display());
                (None, None)
            }
        }
    } else {
        (None, None)
    };
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
    guard
}
