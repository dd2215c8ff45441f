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
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("the minimal window could not start");
}
