//! The kiosk shell: the one window, and what it may navigate to. In kiosk mode the window
//! is fullscreen and undecorated, and keys and gestures that would zoom, reload, print or
//! open things are swallowed before the page sees them.

use tauri::webview::{NewWindowResponse, WebviewWindowBuilder};
use tauri::{Manager, Runtime, Url, WebviewUrl};

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
})();"#;

/// Opens the app's one window for `mode`.
pub fn open_window<R: Runtime, M: Manager<R>>(manager: &M, mode: Mode) -> tauri::Result<()> {
    let locked = mode == Mode::Kiosk;
    let mut builder =
        WebviewWindowBuilder::new(manager, "main", WebviewUrl::App("index.html".into()))
            .title("Clinic Kiosk")
            .inner_size(1280.0, 800.0)
            .min_inner_size(1024.0, 700.0)
            .center()
            .fullscreen(locked)
            .decorations(!locked)
            .resizable(!locked)
            .zoom_hotkeys_enabled(false)
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
    if locked {
        builder = builder.initialization_script(KIOSK_GUARD);
    }
    let window = builder.build()?;
    reload_when_the_web_process_dies(&window);
    if locked {
        // Without a window manager (a bare X session) fullscreen is only a hint: cover the
        // monitor ourselves as well.
        if let Ok(Some(monitor)) = window
            .current_monitor()
            .or_else(|_| window.primary_monitor())
        {
            let _ = window.set_position(*monitor.position());
            let _ = window.set_size(*monitor.size());
        }
    }
    Ok(())
}

/// Leaves kiosk mode for this run (staff only, see commands::kiosk): the window gets its
/// frame back, leaves fullscreen and becomes an ordinary window. Navigation stays locked.
pub fn leave_kiosk<R: Runtime>(window: &tauri::WebviewWindow<R>) -> tauri::Result<()> {
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
