//! Reading aloud and keys-only use (issue #13): the page's Listen control and speech mode
//! call these. The page polls `speech_status` while an utterance plays (no event permission
//! needed). Nothing here is logged: what is said may be an article or a control's name, and
//! the page never sends what a patient typed unless headphones are plugged in.

use serde::Serialize;
use tauri::State;

use super::{AppState, CommandError, ErrorKind};
use crate::lang::Lang;
use crate::speech::{Rate, Speaker, SpeechError, Status, Utterance};

/// Set (by the end-to-end tests only) to a file that gets every sentence said, as a JSON
/// line, so a test hears what was said without reading the screen.
pub const SPEECH_RECORD_ENV: &str = "CLINIC_KIOSK_SPEECH_RECORD";

/// The kiosk's one speaker, managed by Tauri beside [`AppState`].
pub struct SpeechState(pub Speaker);

impl SpeechState {
    /// `espeak-ng` from `PATH`, recording to [`SPEECH_RECORD_ENV`]'s file when it is set.
    pub fn from_env() -> Self {
        let record = std::env::var_os(SPEECH_RECORD_ENV)
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from);
        SpeechState(Speaker::new(crate::speech::ENGINE, record))
    }
}

impl From<SpeechError> for CommandError {
    fn from(err: SpeechError) -> Self {
        let kind = match err {
            SpeechError::Engine(_) => ErrorKind::Unavailable,
            _ => ErrorKind::InvalidInput,
        };
        CommandError::new(kind, err.to_string())
    }
}

/// What the page needs for speech and the six keys.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpeechConfig {
    /// `[speech]` as the clinic set it.
    #[serde(flatten)]
    pub settings: crate::speech::Settings,
    /// Headphones are where the sound goes now (or the kiosk has only a headphone jack):
    /// form fields may be read back with their values.
    pub headphones: bool,
    /// `[keys]`.
    pub keys: crate::config::speech::Keys,
}

/// The speech settings, the six keys and whether headphones are in (asked of PulseAudio
/// each time; about 10 ms).
#[tauri::command(async)]
pub fn speech_config(state: State<'_, AppState>) -> SpeechConfig {
    let settings = state.config.speech.clone();
    let headphones = settings.headphones_only || crate::speech::headphones();
    SpeechConfig {
        settings,
        headphones,
        keys: state.config.keys.clone(),
    }
}

/// Says `sentences` in `lang` (`en`, `es`) at `rate` and `volume` (0 to 100 per cent),
/// from sentence `from` (0 when not given), stopping whatever was being said. `invalidInput`
/// for an unknown language, too much text or nothing to say; `unavailable` when
/// espeak-ng cannot run.
#[tauri::command(async)]
pub fn speech_speak(
    state: State<'_, AppState>,
    speech: State<'_, SpeechState>,
    sentences: Vec<String>,
    lang: String,
    rate: Option<Rate>,
    volume: Option<u8>,
    from: Option<usize>,
) -> Result<Status, CommandError> {
    let lang = Lang::from_code(&lang)
        .ok_or_else(|| CommandError::new(ErrorKind::InvalidInput, "unknown language"))?;
    let settings = &state.config.speech;
    let wpm = match rate.unwrap_or_default() {
        Rate::Normal => settings.words_per_minute,
        Rate::Slower => settings.slower_words_per_minute,
    };
    let utterance = Utterance::new(sentences, lang, wpm, volume.unwrap_or(settings.volume))?;
    speech.0.speak(utterance, from.unwrap_or(0))?;
    Ok(speech.0.status())
}

/// Stops at once.
#[tauri::command(async)]
pub fn speech_stop(speech: State<'_, SpeechState>) -> Status {
    speech.0.stop()
}

/// Pauses at once; `speech_resume` says the sentence again from its start.
#[tauri::command(async)]
pub fn speech_pause(speech: State<'_, SpeechState>) -> Status {
    speech.0.pause()
}

/// Carries on after `speech_pause`.
#[tauri::command(async)]
pub fn speech_resume(speech: State<'_, SpeechState>) -> Status {
    speech.0.resume()
}

/// Where the last utterance is: its id, state, sentence and sentence count.
#[tauri::command(async)]
pub fn speech_status(speech: State<'_, SpeechState>) -> Status {
    speech.0.status()
}
