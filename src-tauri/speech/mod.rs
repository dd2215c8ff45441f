//! Reading text aloud (issue #13): one sentence at a time through `espeak-ng`, run as a
//! separate program (it is GPL-3.0+; the kiosk never links it), in one voice per language
//! (`en-us`, `es-419`), stoppable at once. Why espeak-ng: docs/speech.md.
//!
//! [`Speaker`] holds at most one utterance: a new [`Speaker::speak`] replaces the one
//! playing (its `espeak-ng` is killed), [`Speaker::stop`] and [`Speaker::pause`] kill it at
//! once, [`Speaker::resume`] starts the paused sentence again from its start. A worker
//! thread per utterance waits on the child; the page polls [`Speaker::status`].
//!
//! No shell is involved: the text goes to the child's stdin, never into its arguments.
//! What a patient typed into a form never reaches this module unless headphones are known
//! to be plugged in ([`headphones`]); the page says "filled in" instead.

pub mod headphones;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::lang::Lang;

pub use headphones::headphones;

/// The program that speaks (found on `PATH`; the .deb depends on Debian's `espeak-ng`).
pub const ENGINE: &str = "espeak-ng";
/// At most this many sentences in one utterance (a long article has about 80).
pub const MAX_SENTENCES: usize = 600;
/// At most this many characters in one sentence; a longer one is refused, not cut.
pub const MAX_SENTENCE_CHARS: usize = 2_000;
/// At most this many characters in one utterance (all its sentences).
pub const MAX_TOTAL_CHARS: usize = 60_000;
/// How often the worker looks whether `espeak-ng` has finished (stop and pause do not
/// wait for it: they kill the child themselves).
const POLL: Duration = Duration::from_millis(10);

/// Why an utterance was refused or could not be spoken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpeechError {
    /// Nothing to say: no sentence with a letter or digit in it.
    #[error("nothing to say")]
    Empty,
    /// More than the limits above.
    #[error("too much text to say at once: {0}")]
    TooLong(String),
    /// The volume is not 0 to 100 per cent.
    #[error("volume `{0}` is not 0 to 100")]
    Volume(u8),
    /// `espeak-ng` could not be started (not installed, or not runnable).
    #[error("`{ENGINE}` could not be started: {0}")]
    Engine(String),
}

/// How fast to speak: the clinic's moderate default, or slower.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum Rate {
    /// `[speech] words_per_minute` (155 by default).
    #[default]
    Normal,
    /// `[speech] slower_words_per_minute` (115 by default).
    Slower,
}

/// The clinic's speech settings (`[speech]` in the config file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// The normal rate, in words per minute (80 to 450; espeak-ng's own default is 175).
    pub words_per_minute: u32,
    /// The slower rate, in words per minute (80 to 450).
    pub slower_words_per_minute: u32,
    /// The volume every patient starts with, in per cent of espeak-ng's full amplitude
    /// (0 to 100); the volume key changes it, every reset puts it back.
    pub volume: u8,
    /// The kiosk's audio goes only to a headphone jack (no speaker): form fields may be
    /// read back with their values. Otherwise `pactl` is asked whether headphones are in.
    pub headphones_only: bool,
    /// Speech mode is on for every patient from the start (otherwise the Help key turns it on).
    pub always_on: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            words_per_minute: 155,
            slower_words_per_minute: 115,
            volume: 70,
            headphones_only: false,
            always_on: false,
        }
    }
}

/// The voice used for `lang`: one voice per language, whatever the text.
pub fn voice(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en-us",
        Lang::Es => "es-419",
    }
}

/// One utterance to say.
#[derive(Debug, Clone)]
pub struct Utterance {
    /// Said in order, one `espeak-ng` run each (so the page can highlight each).
    pub sentences: Vec<String>,
    /// The voice's language.
    pub lang: Lang,
    /// Words per minute.
    pub words_per_minute: u32,
    /// 0 to 100 per cent of full amplitude.
    pub volume: u8,
}

impl Utterance {
    /// Checks the limits; blank sentences are dropped. Errors: [`SpeechError::Empty`],
    /// [`SpeechError::TooLong`], [`SpeechError::Volume`].
    pub fn new(
        sentences: Vec<String>,
        lang: Lang,
        words_per_minute: u32,
        volume: u8,
    ) -> Result<Self, SpeechError> {
        if volume > 100 {
            return Err(SpeechError::Volume(volume));
        }
        if sentences.len() > MAX_SENTENCES {
            return Err(SpeechError::TooLong(format!(
                "{} sentences, at most {MAX_SENTENCES}",
                sentences.len()
            )));
        }
        let mut total = 0;
        for s in &sentences {
            let n = s.chars().count();
            if n > MAX_SENTENCE_CHARS {
                return Err(SpeechError::TooLong(format!(
                    "a sentence of {n} characters, at most {MAX_SENTENCE_CHARS}"
                )));
            }
            total += n;
        }
        if total > MAX_TOTAL_CHARS {
            return Err(SpeechError::TooLong(format!(
                "{total} characters, at most {MAX_TOTAL_CHARS}"
            )));
        }
        // Kept as they are (the page's sentence numbers must match); a blank one is said as nothing.
        if !sentences
            .iter()
            .any(|s| s.chars().any(char::is_alphanumeric))
        {
            return Err(SpeechError::Empty);
        }
        Ok(Utterance {
            sentences,
            lang,
            words_per_minute: words_per_minute.clamp(80, 450),
            volume,
        })
    }

    /// espeak-ng's arguments: voice, rate, amplitude (0 to 200, 100 its default), and
    /// no text (it comes on stdin).
    fn args(&self) -> Vec<String> {
        vec![
            "-v".into(),
            voice(self.lang).into(),
            "-s".into(),
            self.words_per_minute.to_string(),
            "-a".into(),
            (u32::from(self.volume) * 2).to_string(),
        ]
    }
}

/// Where an utterance is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum State {
    /// Nothing was said yet.
    Idle,
    /// Sentence `index` is being said.
    Speaking,
    /// Paused at sentence `index`; resume says it again from its start.
    Paused,
    /// Every sentence was said.
    Done,
    /// Stopped before the end (by stop, or by another utterance).
    Stopped,
    /// `espeak-ng` failed (see the log).
    Failed,
}

/// What the page polls.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// Which utterance (each [`Speaker::speak`] adds one).
    pub id: u64,
    /// Where it is.
    pub state: State,
    /// The sentence being said, or where it paused or stopped.
    pub index: usize,
    /// How many sentences it has.
    pub count: usize,
}

struct Inner {
    status: Status,
    utterance: Option<Arc<Utterance>>,
    child: Option<Child>,
}

struct Shared {
    inner: Mutex<Inner>,
    wake: Condvar,
    program: PathBuf,
    record: Option<PathBuf>,
}

/// Says one utterance at a time (see the module's doc). Cheap to clone: clones share it.
#[derive(Clone)]
pub struct Speaker {
    shared: Arc<Shared>,
}

impl Speaker {
    /// A speaker running `program` (normally [`ENGINE`]). With `record`, every sentence is
    /// appended to that file as it starts, as a JSON line `{"lang":"en","text":"..."}`: the
    /// end-to-end tests hear what was said through it (the app sets it only from
    /// `CLINIC_KIOSK_SPEECH_RECORD`, which a kiosk never has).
    pub fn new(program: impl Into<PathBuf>, record: Option<PathBuf>) -> Self {
        Speaker {
            shared: Arc::new(Shared {
                inner: Mutex::new(Inner {
                    status: Status {
                        id: 0,
                        state: State::Idle,
                        index: 0,
                        count: 0,
                    },
                    utterance: None,
                    child: None,
                }),
                wake: Condvar::new(),
                program: program.into(),
                record,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere leaves the state usable: it is only numbers and a child.
        self.shared
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts saying `utterance` at sentence `from`, stopping whatever was being said.
    /// Returns its id. The first sentence's `espeak-ng` is started before this returns, so
    /// [`SpeechError::Engine`] comes here when it cannot run.
    pub fn speak(&self, utterance: Utterance, from: usize) -> Result<u64, SpeechError> {
        let utterance = Arc::new(utterance);
        let mut inner = self.lock();
        kill(&mut inner.child);
        let id = inner.status.id + 1;
        let from = from.min(utterance.sentences.len().saturating_sub(1));
        inner.status = Status {
            id,
            state: State::Speaking,
            index: from,
            count: utterance.sentences.len(),
        };
        inner.utterance = Some(utterance.clone());
        let child = self.start(&utterance, from);
        match child {
            Ok(child) => inner.child = Some(child),
            Err(err) => {
                inner.status.state = State::Failed;
                return Err(err);
            }
        }
        drop(inner);
        self.shared.wake.notify_all();
        let speaker = self.clone();
        std::thread::Builder::new()
            .name("speech".into())
            .spawn(move || speaker.work(id))
            .map_err(|e| SpeechError::Engine(e.to_string()))?;
        Ok(id)
    }

    /// Starts `espeak-ng` on sentence `index`, writing the text to its stdin.
    fn start(&self, utterance: &Utterance, index: usize) -> Result<Child, SpeechError> {
        let text = utterance.sentences[index].as_str();
        if let Some(path) = &self.shared.record {
            let line = serde_json::json!({ "lang": utterance.lang.code(), "text": text });
            let written = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| writeln!(f, "{line}"));
            if let Err(err) = written {
                tracing::warn!("speech record {} not written: {err}", path.display());
            }
        }
        let mut child = Command::new(&self.shared.program)
            .args(utterance.args())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| SpeechError::Engine(e.to_string()))?;
        // A short text, written at once; closing stdin tells espeak-ng it is all.
        if let Some(mut stdin) = child.stdin.take() {
            if let Err(err) = stdin.write_all(text.as_bytes()) {
                let _ = child.kill();
                let _ = child.wait();
                return Err(SpeechError::Engine(err.to_string()));
            }
        }
        Ok(child)
    }

    /// The worker of utterance `id`: waits for each sentence's child, starts the next,
    /// waits while paused, and ends when the utterance does or another replaces it.
    fn work(&self, id: u64) {
        loop {
            let mut inner = self.lock();
            if inner.status.id != id {
                return;
            }
            match inner.status.state {
                State::Paused => {
                    let _unused = self
                        .shared
                        .wake
                        .wait_timeout(inner, Duration::from_millis(500));
                    continue;
                }
                State::Speaking => {}
                _ => return,
            }
            let finished = match inner.child.as_mut() {
                Some(child) => match child.try_wait() {
                    Ok(Some(_)) => true,
                    Ok(None) => false,
                    Err(err) => {
                        tracing::warn!("speech: waiting for {ENGINE} failed: {err}");
                        true
                    }
                },
                // Resumed after a pause: say the paused sentence again.
                None => true,
            };
            if !finished {
                drop(inner);
                std::thread::sleep(POLL);
                continue;
            }
            let resumed = inner.child.take().is_none();
            let next = if resumed {
                inner.status.index
            } else {
                inner.status.index + 1
            };
            if next >= inner.status.count {
                inner.status.state = State::Done;
                inner.utterance = None;
                return;
            }
            let Some(utterance) = inner.utterance.clone() else {
                return;
            };
            inner.status.index = next;
            match self.start(&utterance, next) {
                Ok(child) => inner.child = Some(child),
                Err(err) => {
                    tracing::warn!("speech: {err}");
                    inner.status.state = State::Failed;
                    return;
                }
            }
        }
    }

    /// Stops at once (the child is killed); nothing happens when nothing is being said.
    pub fn stop(&self) -> Status {
        let mut inner = self.lock();
        kill(&mut inner.child);
        if matches!(inner.status.state, State::Speaking | State::Paused) {
            inner.status.state = State::Stopped;
        }
        inner.utterance = None;
        drop(inner);
        self.shared.wake.notify_all();
        self.status()
    }

    /// Pauses at once; [`Speaker::resume`] says the same sentence again from its start.
    pub fn pause(&self) -> Status {
        let mut inner = self.lock();
        if inner.status.state == State::Speaking {
            kill(&mut inner.child);
            inner.status.state = State::Paused;
        }
        drop(inner);
        self.status()
    }

    /// Carries on after [`Speaker::pause`]; nothing happens otherwise.
    pub fn resume(&self) -> Status {
        let mut inner = self.lock();
        if inner.status.state == State::Paused {
            inner.status.state = State::Speaking;
        }
        drop(inner);
        self.shared.wake.notify_all();
        self.status()
    }

    /// Where the last utterance is.
    pub fn status(&self) -> Status {
        self.lock().status.clone()
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Ok(inner) = self.inner.get_mut() {
            kill(&mut inner.child);
        }
    }
}

/// Kills and reaps `child`, if any: the sound ends with it.
fn kill(child: &mut Option<Child>) {
    if let Some(mut child) = child.take() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(lines: &str) -> Vec<String> {
        lines
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).expect("json")["text"].to_string()
            })
            .collect()
    }

    /// A stand-in engine: `sleep` accepts no espeak-ng arguments, so use a tiny script that
    /// reads stdin and waits a little, like a speaking espeak-ng.
    fn fake_engine(dir: &std::path::Path, secs: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("engine");
        std::fs::write(&path, format!("#!/bin/sh\ncat >/dev/null\nsleep {secs}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn wait_for(speaker: &Speaker, state: State) -> Status {
        for _ in 0..500 {
            let status = speaker.status();
            if status.state == state {
                return status;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("never reached {state:?}: {:?}", speaker.status());
    }

    #[test]
    fn limits_refuse_too_much_or_nothing() {
        assert!(matches!(
            Utterance::new(vec![" ".into(), "...".into()], Lang::En, 155, 70),
            Err(SpeechError::Empty)
        ));
        assert!(matches!(
            Utterance::new(vec!["a".repeat(MAX_SENTENCE_CHARS + 1)], Lang::En, 155, 70),
            Err(SpeechError::TooLong(_))
        ));
        assert!(matches!(
            Utterance::new(vec!["Hi.".into(); MAX_SENTENCES + 1], Lang::En, 155, 70),
            Err(SpeechError::TooLong(_))
        ));
        assert!(matches!(
            Utterance::new(vec!["Hi.".into()], Lang::En, 155, 101),
            Err(SpeechError::Volume(101))
        ));
        let u = Utterance::new(vec!["Hola.".into()], Lang::Es, 1000, 50).unwrap();
        assert_eq!(u.args(), ["-v", "es-419", "-s", "450", "-a", "100"]);
    }

    #[test]
    fn says_every_sentence_in_order_then_is_done() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("said.jsonl");
        let speaker = Speaker::new(fake_engine(dir.path(), "0.02"), Some(record.clone()));
        let u = Utterance::new(
            vec!["One.".into(), "Two.".into(), "Three.".into()],
            Lang::En,
            155,
            70,
        )
        .unwrap();
        let id = speaker.speak(u, 0).unwrap();
        let status = wait_for(&speaker, State::Done);
        assert_eq!((status.id, status.index, status.count), (id, 2, 3));
        let text = std::fs::read_to_string(&record).unwrap();
        assert_eq!(said(&text), ["\"One.\"", "\"Two.\"", "\"Three.\""]);
    }

    #[test]
    fn stop_and_pause_act_at_once_and_resume_says_the_sentence_again() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("said.jsonl");
        let speaker = Speaker::new(fake_engine(dir.path(), "30"), Some(record.clone()));
        let u = Utterance::new(vec!["Long one.".into(), "Two.".into()], Lang::En, 155, 70);
        speaker.speak(u.unwrap(), 0).unwrap();
        let started = std::time::Instant::now();
        assert_eq!(speaker.pause().state, State::Paused);
        assert!(started.elapsed() < Duration::from_secs(2), "pause waited");
        assert_eq!(speaker.resume().state, State::Speaking);
        std::thread::sleep(Duration::from_millis(100));
        let status = speaker.stop();
        assert_eq!((status.state, status.index), (State::Stopped, 0));
        assert!(started.elapsed() < Duration::from_secs(5), "stop waited");
        let text = std::fs::read_to_string(&record).unwrap();
        assert_eq!(said(&text), ["\"Long one.\"", "\"Long one.\""]);
    }

    #[test]
    fn a_new_utterance_replaces_the_one_playing() {
        let dir = tempfile::tempdir().unwrap();
        let speaker = Speaker::new(fake_engine(dir.path(), "30"), None);
        let first = speaker
            .speak(
                Utterance::new(vec!["A.".into()], Lang::En, 155, 70).unwrap(),
                0,
            )
            .unwrap();
        let second = speaker
            .speak(
                Utterance::new(vec!["B.".into()], Lang::Es, 155, 70).unwrap(),
                0,
            )
            .unwrap();
        assert!(second > first);
        assert_eq!(speaker.status().state, State::Speaking);
        speaker.stop();
    }

    #[test]
    fn a_missing_engine_is_an_engine_error() {
        let speaker = Speaker::new("/nonexistent/espeak-ng", None);
        let u = Utterance::new(vec!["Hi.".into()], Lang::En, 155, 70).unwrap();
        assert!(matches!(speaker.speak(u, 0), Err(SpeechError::Engine(_))));
        assert_eq!(speaker.status().state, State::Failed);
    }
}
