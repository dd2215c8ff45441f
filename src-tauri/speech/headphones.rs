//! Whether the kiosk's sound goes to headphones right now, asked of PulseAudio with
//! `pactl` (pulseaudio-utils): the default sink's active port is a headphone port that is
//! plugged in. Anything else (no PulseAudio, a speaker port, a null sink, an answer that
//! cannot be read, `pactl` taking over a second) counts as "not headphones", so a patient's
//! typed text is never read back through a speaker by mistake.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long `pactl` may take before the answer counts as "no headphones".
const PACTL_TIMEOUT: Duration = Duration::from_secs(1);

/// True when headphones are plugged in and are where the sound goes (see the module's doc).
pub fn headphones() -> bool {
    let Some(default) = pactl(&["get-default-sink"]) else {
        return false;
    };
    let Some(sinks) = pactl(&["list", "sinks"]) else {
        return false;
    };
    headphones_in(&sinks, default.trim())
}

/// Reads `pactl list sinks`: sink `default`'s active port is a headphone port and its line
/// in `Ports:` says "available" (PulseAudio's "availability unknown", which a jack without
/// plug detection reports, does not count: a speaker may be on it).
pub fn headphones_in(list: &str, default: &str) -> bool {
    let mut in_sink = false;
    let mut in_ports = false;
    let mut ports: Vec<(String, String)> = Vec::new();
    let mut active = None;
    for line in list.lines() {
        let trimmed = line.trim();
        if line.starts_with("Sink #") {
            if in_sink {
                break;
            }
            ports.clear();
            in_ports = false;
            continue;
        }
        if let Some(name) = trimmed.strip_prefix("Name: ") {
            if line.starts_with('\t') && !line.starts_with("\t\t") {
                in_sink = name == default;
            }
        }
        if !in_sink {
            continue;
        }
        if trimmed == "Ports:" {
            in_ports = true;
            continue;
        }
        if let Some(port) = trimmed.strip_prefix("Active Port: ") {
            active = Some(port.to_string());
            in_ports = false;
            continue;
        }
        if in_ports && line.starts_with("\t\t") {
            if let Some((name, rest)) = trimmed.split_once(": ") {
                ports.push((name.to_string(), rest.to_string()));
            }
        } else if !line.starts_with("\t\t") {
            in_ports = false;
        }
    }
    let Some(active) = active else { return false };
    ports.iter().any(|(name, rest)| {
        let rest = rest.to_lowercase();
        *name == active
            && (name.contains("headphone") || rest.contains("type: headphones"))
            && says_available(&rest)
    })
}

/// The port line's availability is an explicit "available" (PulseAudio writes ", available)"
/// for a plugged-in jack, "not available" and "availability unknown" otherwise).
fn says_available(rest: &str) -> bool {
    rest.trim_end_matches(')')
        .rsplit(", ")
        .next()
        .is_some_and(|last| last.trim() == "available")
}

/// `pactl ARGS`' output, or `None` when it failed or took too long.
fn pactl(args: &[&str]) -> Option<String> {
    let mut child = Command::new("pactl")
        .args(args)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) if started.elapsed() > PACTL_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take()?, &mut out).ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::headphones_in;

    const LAPTOP: &str = "Sink #0\n\tState: SUSPENDED\n\tName: alsa_output.pci.analog-stereo\n\tDescription: Built-in Audio\n\tPorts:\n\t\tanalog-output-speaker: Speakers (type: Speaker, priority: 10000, availability unknown)\n\t\tanalog-output-headphones: Headphones (type: Headphones, priority: 9900, PLUGGED)\n\tActive Port: PORT\n\tFormats:\n\t\tpcm\nSink #1\n\tName: kiosk\n\tDescription: Null Output\n";

    fn laptop(active: &str, plugged: &str) -> String {
        LAPTOP.replace("PORT", active).replace("PLUGGED", plugged)
    }

    #[test]
    fn plugged_in_headphones_that_are_the_active_port_count() {
        let list = laptop("analog-output-headphones", "available");
        assert!(headphones_in(&list, "alsa_output.pci.analog-stereo"));
    }

    #[test]
    fn a_speaker_an_unplugged_jack_or_another_sink_do_not() {
        let name = "alsa_output.pci.analog-stereo";
        assert!(!headphones_in(
            &laptop("analog-output-speaker", "available"),
            name
        ));
        assert!(!headphones_in(
            &laptop("analog-output-headphones", "not available"),
            name
        ));
        assert!(!headphones_in(
            &laptop("analog-output-headphones", "available"),
            "kiosk"
        ));
        assert!(!headphones_in("", name));
    }

    #[test]
    fn a_headphone_port_of_unknown_availability_does_not() {
        // A jack without plug detection: a speaker may be on it, so typed text stays unsaid.
        let name = "alsa_output.pci.analog-stereo";
        let list = laptop("analog-output-headphones", "availability unknown");
        assert!(!headphones_in(&list, name));
    }
}
