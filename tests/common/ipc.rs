//! The app's command wiring in Tauri's mock runtime with the real context (so the real
//! capability file applies), shared by the command and staff tests (`use crate::common::ipc;`).

use clinic_kiosk::commands::AppState;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

pub fn app(state: AppState) -> App<MockRuntime> {
    mock_builder()
        .manage(state)
        .invoke_handler(clinic_kiosk::invoke_handler())
        .build(tauri::generate_context!("tauri.conf.json"))
        .expect("the mock app builds with the real context")
}

pub fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, Default::default())
        .build()
        .expect("mock window")
}

/// Calls `cmd` from window `w` as the UI would; `Err` holds the rejected value.
pub fn invoke(w: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("json body"))
}
