//! The kiosk's sound, heard: a PulseAudio null sink (`kiosk`) the app plays into, and a
//! recorder of its monitor. Shared by the speech journeys (tests/e2e/speech.rs) and the
//! speech benchmark (benches/speech.rs), which include this file by path.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};

fn pactl(args: &[&str]) -> Option<String> {
    let out = Command::new("pactl").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A PulseAudio server with the null sink `kiosk` as its default sink: the one scripts/test
/// started, or one started here (ARCHITECTURE.md's command).
pub fn ensure_sink() -> Result<()> {
    if pactl(&["info"]).is_none() {
        let started = Command::new("pulseaudio")
            .args([
                "-n",
                "--daemonize=yes",
                "--exit-idle-time=-1",
                "--load=module-null-sink sink_name=kiosk",
                "--load=module-native-protocol-unix",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .context("cannot run pulseaudio: install pulseaudio pulseaudio-utils sox espeak-ng (scripts/lib.sh TEST_PACKAGES); the speech journeys need a PulseAudio null sink")?;
        ensure!(started.success(), "pulseaudio did not start ({started})");
        let deadline = Instant::now() + Duration::from_secs(10);
        while pactl(&["info"]).is_none() {
            ensure!(
                Instant::now() < deadline,
                "pulseaudio started but pactl cannot reach it"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let sinks = pactl(&["list", "short", "sinks"]).unwrap_or_default();
    if !sinks.split_whitespace().any(|w| w == "kiosk") {
        pactl(&["load-module", "module-null-sink", "sink_name=kiosk"])
            .context("cannot load PulseAudio's null sink `kiosk`")?;
    }
    pactl(&["set-default-sink", "kiosk"]).context("cannot make `kiosk` the default sink")?;
    ensure!(
        Command::new("espeak-ng")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success()),
        "espeak-ng is not installed (apt-get install espeak-ng; the .deb depends on it)"
    );
    Ok(())
}

/// What `parec` heard on the sink's monitor: the peak of each 10 ms block, with the time
/// it was read.
pub struct Recorder {
    child: Child,
    silence: Child,
    blocks: Arc<Mutex<Vec<(Instant, i32)>>>,
}

/// A 10 ms block with a sample above this (of 32767, about -36 dBFS) is sound; a null
/// sink's silence is exact zeros.
const LOUD: i32 = 500;
const RATE: usize = 16_000;

impl Recorder {
    pub fn start() -> Result<Self> {
        // A stream of silence keeps the null sink running, so its monitor flows all the time
        // and a sound's block is read when it is played (an idle sink's monitor starts late).
        let silence = Command::new("pacat")
            .args([
                "-d",
                "kiosk",
                "--raw",
                "--format=s16le",
                "--rate=16000",
                "--channels=1",
            ])
            .stdin(std::fs::File::open("/dev/zero")?)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot run pacat (pulseaudio-utils)")?;
        let mut child = Command::new("parec")
            .args([
                "-d",
                "kiosk.monitor",
                "--format=s16le",
                "--rate=16000",
                "--channels=1",
                "--latency-msec=10",
                "--raw",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot run parec (pulseaudio-utils)")?;
        let mut out = child.stdout.take().context("parec's output")?;
        let blocks = Arc::new(Mutex::new(Vec::new()));
        let sink = blocks.clone();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; RATE / 100 * 2];
            while out.read_exact(&mut buf).is_ok() {
                let peak = buf
                    .chunks_exact(2)
                    .map(|b| i32::from(i16::from_le_bytes([b[0], b[1]])).abs())
                    .max()
                    .unwrap_or(0);
                sink.lock().unwrap().push((Instant::now(), peak));
            }
        });
        // parec's first block comes about 2 s after it starts (measured here: 1.7 to 2.0 s,
        // with or without the silence stream), and what was played before then arrives in one
        // burst, each block stamped with that late read time. A fixed 300 ms wait here made
        // Listen's first sound look 1.7 s late in the journeys: wait for the stream to flow.
        let deadline = Instant::now() + Duration::from_secs(10);
        while blocks.lock().unwrap().is_empty() {
            ensure!(
                Instant::now() < deadline,
                "parec delivered nothing from kiosk.monitor within 10 s"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(100));
        Ok(Recorder {
            child,
            silence,
            blocks,
        })
    }

    fn loud_times(&self, from: Instant, to: Instant) -> Vec<Instant> {
        self.blocks
            .lock()
            .unwrap()
            .iter()
            .filter(|(t, p)| *t >= from && *t <= to && *p > LOUD)
            .map(|(t, _)| *t)
            .collect()
    }

    /// How long after `t0` the first sound came, waiting up to `within`.
    pub async fn first_sound(&self, t0: Instant, within: Duration) -> Option<Duration> {
        // Looked at once more after the deadline: the tap itself may have taken a while.
        loop {
            let late = t0.elapsed() > within + Duration::from_millis(300);
            if let Some(t) = self.loud_times(t0, Instant::now()).first() {
                return Some(t.duration_since(t0));
            }
            if late {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Sound heard between `from` and `to`, in 10 ms blocks.
    pub fn loud_blocks(&self, from: Instant, to: Instant) -> usize {
        self.loud_times(from, to).len()
    }

    /// The last moment sound was heard after `from`.
    pub fn last_sound(&self, from: Instant) -> Option<Instant> {
        self.loud_times(from, Instant::now()).last().copied()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        for child in [&mut self.child, &mut self.silence] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
