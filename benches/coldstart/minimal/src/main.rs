//! One window, one page; the page calls `ready` once it is shown, and the app exits.

#[tauri::command]
fn ready<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    // The benchmark times this line, not the teardown after it.
    println!("ready");
    // Under WebDriver (benches/startup.sh) the window stays until the session closes it.
    if std::env::var_os("MINIMAL_WINDOW_STAY").is_none() {
        app.exit(0);
    }
}

fn main() {
    // `--kiosk-renderer`: WebKit's renderer chosen as the kiosk chooses it (src-tauri/lib.rs
    // sets WEBKIT_DISABLE_DMABUF_RENDERER=1 when unset), so the two draw their pages the same
    // way. Set before any thread starts.
    if std::env::args().any(|a| a == "--kiosk-renderer")
        && std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none()
    {
        std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
    }
    tauri::Builder::default()
        .setup(|app| {
            // `--fullscreen`: as the kiosk opens in kiosk mode, so the two first paints cover
            // the same pixels (benches/startup.rs starts it both ways). The window itself
            // comes from tauri.conf.json (one made here is not found by WebDriver).
            if std::env::args().any(|a| a == "--fullscreen") {
                use tauri::Manager;
                if let Some(window) = app.get_webview_window("main") {
                    // As the kiosk's shell does: without a window manager, fullscreen is
                    // only a hint, so the monitor is covered by hand too.
                    window.set_fullscreen(true)?;
                    if let Some(monitor) = window.current_monitor()? {
                        window.set_position(*monitor.position())?;
                        window.set_size(*monitor.size())?;
                    }
                }
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("the minimal window could not start");
}
