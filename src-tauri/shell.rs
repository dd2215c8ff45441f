//! The kiosk shell: the one window, and what it may navigate to. In kiosk mode the window
//! is fullscreen and undecorated, and keys and gestures that would zoom, reload, print or
//! open things are swallowed before the page sees them.

#[cfg(target_os = "linux")]
mod gtk;

use std::sync::atomic::Ordering;

use tauri::webview::{NewWindowResponse, WebviewWindowBuilder};
use tauri::{Manager, Runtime, Url, WebviewUrl, WindowEvent};

use crate::commands::AppState;
use crate::config::Mode;

/// Only the app's own pages may load in the window.
pub fn navigation_allowed(url: &Url) -> bool {
    match url.scheme() {
        // Linux and macOS serve the app from tauri://localhost.
        "tauri" => url.host_str() == Some("localhost"),
        // Windows and Android serve it from http(s)://tauri.localhost.
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        "about" => url.as_str() == "about:blank",
        _ => false,
    }
}

/// Swallows zoom, reload, print, new-window and devtools keys, pinch and ctrl-wheel zoom,
/// drag and drop, and the context menu outside text fields. Runs before the page's scripts.
const KIOSK_GUARD: &str = r#"(() => {
  const editable = (el) => !!el && (el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA');
  const blocked = (e) => {
    const k = (e.key || '').toLowerCase();
    const mod = e.ctrlKey || e.metaKey;
    if (['f1', 'f3', 'f5', 'f6', 'f7', 'f11', 'f12', 'browserback', 'browserforward', 'browserrefresh'].includes(k)) return true;
    if (mod && ['r', 'p', 'o', 'n', 'w', 't', 's', 'u', 'f', 'g', 'j', 'h', 'l', '+', '-', '=', '0'].includes(k)) return true;
    if (e.altKey && ['arrowleft', 'arrowright', 'home', 'f4'].includes(k)) return true;
    return false;
  };
  addEventListener('keydown', (e) => { if (blocked(e)) { e.preventDefault(); e.stopImmediatePropagation(); } }, true);
  addEventListener('contextmenu', (e) => { if (!editable(e.target)) e.preventDefault(); }, true);
  addEventListener('wheel', (e) => { if (e.ctrlKey) e.preventDefault(); }, { capture: true, passive: false });
  for (const type of ['gesturestart', 'gesturechange', 'dragstart', 'dragover', 'drop']) {
    addEventListener(type, (e) => e.preventDefault(), true);
  }
  addEventListener('touchmove', (e) => { if (e.touches && e.touches.length > 1) e.preventDefault(); }, { capture: true, passive: false });
  // The page never closes the kiosk (the shell refuses it too).
  window.close = () => {};
})();"#;

/// Opens the app's one window for `mode`.
pub fn open_window<R: Runtime, M: Manager<R>>(manager: &M, mode: Mode) -> tauri::Result<()> {
    let locked = mode == Mode::Kiosk;
    let mut builder =
        WebviewWindowBuilder::new(manager, "main", WebviewUrl::App("index.html".into()))
            .title("Clinic Kiosk")
            .inner_size(1280.0, 800.0)
            .center()
            .fullscreen(locked)
            .decorations(!locked)
            // Not resizable in kiosk mode (a resizable one under cage is left unpainted by
            // WebKitGTK); on Wayland it is therefore built at the screen's size, below.
            .resizable(!locked)
            .zoom_hotkeys_enabled(false)
            // No inspector in any build, debug included (Tauri turns it on in debug).
            .devtools(false)
            .disable_drag_drop_handler()
            .on_navigation(|url| {
                let ok = navigation_allowed(url);
                if !ok {
                    // Scheme and host only: a query string could hold anything.
                    tracing::warn!(
                        "refused navigation to {}://{}",
                        url.scheme(),
                        url.host_str().unwrap_or("")
                    );
                }
                ok
            })
            .on_new_window(|url, _| {
                tracing::warn!(
                    "refused a new window for {}://{}",
                    url.scheme(),
                    url.host_str().unwrap_or("")
                );
                NewWindowResponse::Deny
            });
    if !locked {
        builder = builder.min_inner_size(1024.0, 700.0);
    }
    if locked {
        builder = builder.initialization_script(KIOSK_GUARD);
        // Built at the screen's size only on Wayland, where GTK 3 keeps a non-resizable
        // window at the size it was built with. On X11 `cover_monitor` sizes it right after
        // it is built: built at the screen's exact size, one start in about ten under Xvfb
        // waited ~480 ms more before WebKit began loading the page (issue #16, BENCHMARKS.md).
        if on_wayland() {
            // Wayland has no primary monitor (GDK answers none): then the first one.
            let handle = manager.app_handle();
            let monitor = handle
                .primary_monitor()
                .ok()
                .flatten()
                .or_else(|| handle.available_monitors().ok()?.into_iter().next());
            if let Some(monitor) = monitor {
                let size = monitor.size().to_logical::<f64>(monitor.scale_factor());
                builder = builder.inner_size(size.width, size.height);
            }
        }
    }
    let window = builder.build()?;
    reload_when_the_web_process_dies(&window);
    harden_webview(&window);
    let handle = window.clone();
    window.on_window_event(move |event| {
        if let WindowEvent::CloseRequested { api, .. } = event {
            if kiosk_locked(&handle) {
                // Alt+F4, a window manager's close button, a compositor's close: the lobby
                // keeps its kiosk. Staff close the app from the staff view.
                api.prevent_close();
                tracing::warn!("refused a close request in kiosk mode");
            }
        }
    });
    if locked {
        cover_monitor(&window);
    }
    Ok(())
}

/// Whether GTK draws on a Wayland compositor (cage, in a lobby) rather than on X11.
#[cfg(target_os = "linux")]
fn on_wayland() -> bool {
    gtk::on_wayland()
}

#[cfg(not(target_os = "linux"))]
fn on_wayland() -> bool {
    false
}

/// Whether the window is in kiosk mode now: the app runs as a kiosk and staff have not
/// left kiosk mode (or it has been put back).
fn kiosk_locked<R: Runtime>(window: &tauri::WebviewWindow<R>) -> bool {
    let state = window.state::<AppState>();
    state.config.mode == Mode::Kiosk && !state.kiosk_left.load(Ordering::SeqCst)
}

/// Fullscreen, and without a window manager (a bare X session), where fullscreen is only a
/// hint, the monitor covered by hand as well.
fn cover_monitor<R: Runtime>(window: &tauri::WebviewWindow<R>) {
    let _ = window.set_fullscreen(true);
    if let Ok(Some(monitor)) = window
        .current_monitor()
        .or_else(|_| window.primary_monitor())
    {
        let _ = window.set_position(*monitor.position());
        let _ = window.set_size(*monitor.size());
    }
}

/// Whether the window is fullscreen and covers its monitor (physical pixels). The inner
/// size is compared: tao reports a 0x0 outer size for an undecorated fullscreen window on X.
fn fills_monitor<R: Runtime>(window: &tauri::WebviewWindow<R>) -> bool {
    let Ok(Some(monitor)) = window
        .current_monitor()
        .or_else(|_| window.primary_monitor())
    else {
        return true; // nothing to compare with: leave it alone
    };
    let fullscreen = window.is_fullscreen().unwrap_or(true);
    let size = window
        .inner_size()
        .map(|s| s == *monitor.size())
        .unwrap_or(true);
    let position = window
        .outer_position()
        .map(|p| p == *monitor.position())
        .unwrap_or(true);
    fullscreen && size && position
}

/// Back to kiosk mode: fullscreen, no frame, not resizable (after staff left it).
pub fn enter_kiosk<R: Runtime>(window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    window.set_decorations(false)?;
    window.set_resizable(false)?;
    cover_monitor(window);
    Ok(())
}

/// How often the kiosk watch looks at the window and the staff session.
const KIOSK_WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// In kiosk mode, once a second: after staff left kiosk mode, puts it back as soon as no
/// staff session is live (locked, timed out, or past its lifetime); otherwise puts
/// fullscreen back if something took it away.
pub fn spawn_kiosk_watch<R: Runtime>(app: &tauri::AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(KIOSK_WATCH_EVERY);
        // The first tick is at once: give the window its first second to settle.
        tick.tick().await;
        let mut restored_once = false;
        loop {
            tick.tick().await;
            let Some(window) = app.get_webview_window("main") else {
                continue;
            };
            match kiosk_watch_step(&window) {
                WatchStep::BackToKiosk => {
                    tracing::info!("no staff session is live: back to kiosk mode");
                }
                WatchStep::FullscreenRestored if !restored_once => {
                    restored_once = true;
                    tracing::warn!("the kiosk window had left fullscreen; put back");
                }
                WatchStep::FullscreenRestored => {
                    tracing::debug!("the kiosk window had left fullscreen again; put back");
                }
                _ => {}
            }
        }
    });
}

/// What one look of the kiosk watch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchStep {
    /// Nothing to do.
    Nothing,
    /// Staff are out of kiosk mode and their session is live: left alone.
    StaffOutside,
    /// The staff session ended: kiosk mode is back.
    BackToKiosk,
    /// The window did not cover the monitor: fullscreen is back.
    FullscreenRestored,
}

/// One look of the kiosk watch (see [`spawn_kiosk_watch`]); public for the tests.
pub fn kiosk_watch_step<R: Runtime>(window: &tauri::WebviewWindow<R>) -> WatchStep {
    let state = window.state::<AppState>();
    if state.config.mode != Mode::Kiosk {
        return WatchStep::Nothing;
    }
    if state.kiosk_left.load(Ordering::SeqCst) {
        if state.sessions.any_live(state.now_ms(), &state.config.staff) {
            return WatchStep::StaffOutside;
        }
        state.kiosk_left.store(false, Ordering::SeqCst);
        if let Err(err) = enter_kiosk(window) {
            tracing::error!("could not go back to kiosk mode: {err}");
        }
        state.audit("kiosk", "back-to-kiosk-mode", None);
        return WatchStep::BackToKiosk;
    }
    if !fills_monitor(window) {
        cover_monitor(window);
        return WatchStep::FullscreenRestored;
    }
    WatchStep::Nothing
}

/// WebKitGTK settings Tauri has no API for (see `shell/gtk.rs`); logged once at start.
#[cfg(target_os = "linux")]
fn harden_webview<R: Runtime>(window: &tauri::WebviewWindow<R>) {
    let handle = window.clone();
    let result = window.with_webview(move |webview| {
        let on_close = move || {
            if kiosk_locked(&handle) {
                tracing::warn!("refused the page's request to close in kiosk mode");
            } else {
                let _ = handle.close();
            }
        };
        let done = gtk::harden(&webview.inner(), on_close);
        tracing::info!(
            "web view: developer extras {}, pinch zoom {}, page close {}",
            if done.developer_extras_off {
                "off"
            } else {
                "ON"
            },
            if done.pinch_zoom_off { "off" } else { "ON" },
            if done.page_close_routed {
                "through the shell"
            } else {
                "NOT routed"
            },
        );
    });
    if let Err(err) = result {
        tracing::warn!("cannot harden the web view: {err}");
    }
}

#[cfg(not(target_os = "linux"))]
fn harden_webview<R: Runtime>(_window: &tauri::WebviewWindow<R>) {}

/// Leaves kiosk mode while a staff session is live (staff only, see commands::kiosk): the
/// window gets its frame back, leaves fullscreen and becomes an ordinary window; the kiosk
/// watch puts kiosk mode back when the session ends. Navigation stays locked.
pub fn leave_kiosk<R: Runtime>(window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
    window
        .state::<AppState>()
        .kiosk_left
        .store(true, Ordering::SeqCst);
    window.set_fullscreen(false)?;
    window.set_decorations(true)?;
    window.set_resizable(true)?;
    window.set_size(tauri::LogicalSize::new(1280.0, 800.0))?;
    window.center()?;
    Ok(())
}

/// A crashed or killed web process leaves a blank window; load the start page again so
/// the lobby never shows a blank screen. Everything on the page is gone with the process.
#[cfg(target_os = "linux")]
fn reload_when_the_web_process_dies<R: Runtime>(window: &tauri::WebviewWindow<R>) {
    let result = window.with_webview(|webview| {
        use webkit2gtk::WebViewExt;
        webview
            .inner()
            .connect_web_process_terminated(|view, reason| {
                tracing::error!("the web process ended ({reason:?}); reloading the start page");
                view.load_uri("tauri://localhost/index.html");
            });
    });
    if let Err(err) = result {
        tracing::warn!("cannot watch the web process: {err}");
    }
}

#[cfg(not(target_os = "linux"))]
fn reload_when_the_web_process_dies<R: Runtime>(_window: &tauri::WebviewWindow<R>) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        s.parse().expect("url")
    }

    #[test]
    fn the_apps_own_pages_are_allowed() {
        assert!(navigation_allowed(&url("tauri://localhost/index.html")));
        assert!(navigation_allowed(&url(
            "tauri://localhost/#/article/herniated-disc"
        )));
        assert!(navigation_allowed(&url(
            "http://tauri.localhost/index.html"
        )));
    }

    #[test]
    fn everything_else_is_refused() {
        for refused in [
            "https://example.com/",
            "http://localhost:8080/",
            "https://tauri.localhost.evil.example/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,hi",
            "tauri://evil/",
            "mailto:someone@example.com",
        ] {
            assert!(
                !navigation_allowed(&url(refused)),
                "{refused} must be refused"
            );
        }
    }
}
