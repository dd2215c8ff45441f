//! Which display GDK drew on, and WebKitGTK settings Tauri has no API for: developer
//! extras off, WebKitGTK's own pinch gesture disconnected, and the page's "close"
//! (`window.close()`, WebDriver's Close Window) routed through the shell instead of wry's,
//! which destroys the web view.
//!
//! Unsafe because GObject offers no safe way to reach handlers another library connected
//! (glib-rs wraps only handlers whose ids we hold). Each block says why it is sound.
#![allow(unsafe_code)]

use std::ffi::CStr;

use webkit2gtk::glib::gobject_ffi;
use webkit2gtk::glib::object::ObjectType;
use webkit2gtk::glib::translate::IntoGlib;
use webkit2gtk::glib::StaticType;
use webkit2gtk::{SettingsExt, WebViewExt};

/// The key WebKitGTK (GTK 3, `WebKitWebViewBase.cpp`) stores its pinch-zoom gesture under.
const ZOOM_GESTURE_KEY: &CStr = c"wk-view-zoom-gesture";

/// Whether GDK's default display is a Wayland one (GDK picks it from `WAYLAND_DISPLAY` and
/// `GDK_BACKEND`; asking GDK is the only answer that matches what it chose). False before
/// GTK is initialised.
pub fn on_wayland() -> bool {
    use webkit2gtk::glib::object::ObjectExt;
    gdk::Display::default().is_some_and(|display| display.type_().name() == "GdkWaylandDisplay")
}

/// What [`harden`] managed to do, for the log.
#[derive(Debug, Default, Clone, Copy)]
pub struct Hardened {
    /// `enable-developer-extras` is false: no inspector, no "Inspect element".
    pub developer_extras_off: bool,
    /// WebKitGTK's pinch gesture no longer zooms the page.
    pub pinch_zoom_off: bool,
    /// The page's close requests go to `on_close` instead of destroying the view.
    pub page_close_routed: bool,
}

/// Applies the settings to `view`. `on_close` runs when the page asks to close (it decides
/// whether to refuse).
pub fn harden(view: &webkit2gtk::WebView, on_close: impl Fn() + 'static) -> Hardened {
    let mut done = Hardened::default();
    if let Some(settings) = WebViewExt::settings(view) {
        settings.set_enable_developer_extras(false);
        done.developer_extras_off = !settings.enables_developer_extras();
    }
    let instance = view.as_ptr() as *mut gobject_ffi::GObject;
    // SAFETY: `instance` is a live WebKitWebView (borrowed from `view` for this call). The
    // data under ZOOM_GESTURE_KEY, when present, is the GtkGestureZoom WebKit owns for the
    // view's lifetime; destroying its signal handlers only stops the page-zoom callbacks
    // WebKit connected to it, the gesture object itself stays valid.
    unsafe {
        let gesture = gobject_ffi::g_object_get_data(instance, ZOOM_GESTURE_KEY.as_ptr());
        if !gesture.is_null() {
            gobject_ffi::g_signal_handlers_destroy(gesture as *mut gobject_ffi::GObject);
            done.pinch_zoom_off = true;
        }
    }
    let signal = webkit2gtk::glib::subclass::signal::SignalId::lookup(
        "close",
        webkit2gtk::WebView::static_type(),
    );
    // SAFETY: `instance` is live; "close" is a signal of WebKitWebView. Each handler found
    // unblocked for it so far (wry's, which destroys the view) is blocked by its id, which
    // GObject just returned for this instance; ours, connected next, stays active. (A
    // `g_signal_handlers_block_matched` with the signal id alone blocks nothing: GLib wants
    // a closure, function or data in the mask as well.)
    if let Some(signal) = signal {
        let mut blocked = 0;
        loop {
            let handler = unsafe {
                gobject_ffi::g_signal_handler_find(
                    instance,
                    gobject_ffi::G_SIGNAL_MATCH_ID | gobject_ffi::G_SIGNAL_MATCH_UNBLOCKED,
                    signal.into_glib(),
                    0,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
            };
            if handler == 0 || blocked >= 16 {
                break;
            }
            unsafe { gobject_ffi::g_signal_handler_block(instance, handler) };
            blocked += 1;
        }
        done.page_close_routed = blocked > 0;
    }
    view.connect_close(move |_| on_close());
    done
}
