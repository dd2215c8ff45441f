/// Who may call a command. Staff commands check it in Rust through
/// `AppState::staff(token, command, ...)`, which reads it from [`COMMANDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// A patient at the kiosk: no session needed.
    Anyone,
    /// A live staff session, either role.
    Staff,
    /// A live staff session of an admin.
    Admin,
}

/// Every command the UI may call, with who may call it. build.rs generates a permission for
/// each and the capability in src-tauri/capabilities/ grants them to the main window,
/// nothing else; tests/staff.rs calls every `Staff` and `Admin` command without a session
/// and every `Admin` one as a front desk, so a new command cannot be forgotten.
pub const COMMANDS: &[(&str, Access)] = &[
    ("app_info", Access::Anyone),
    ("list_topics", Access::Anyone),
    ("topic_articles", Access::Anyone),
    ("get_article", Access::Anyone),
    ("search", Access::Anyone),
    ("suggest", Access::Anyone),
    ("callback_config", Access::Anyone),
    ("new_request_id", Access::Anyone),
    ("submit_callback", Access::Anyone),
    ("staff_status", Access::Anyone),
    ("staff_unlock", Access::Anyone),
    ("staff_lock", Access::Staff),
    ("staff_keepalive", Access::Staff),
    ("inbox_list", Access::Staff),
    ("request_update", Access::Staff),
    ("export_folders", Access::Staff),
    ("export_callbacks", Access::Staff),
    ("audit_list", Access::Staff),
    ("staff_health", Access::Staff),
    ("ui_ready", Access::Anyone),
    ("staff_leave_kiosk", Access::Admin),
    ("staff_quit", Access::Admin),
    ("report_ui_error", Access::Anyone),
    ("delivery_retry", Access::Staff),
    ("lan_status", Access::Staff),
    ("lan_show_code", Access::Admin),
    ("lan_unpair_kiosk", Access::Admin),
    ("lan_pair", Access::Admin),
    ("lan_unpair", Access::Admin),
    ("lan_send_pack", Access::Admin),
    ("content_packs", Access::Admin),
    ("content_import", Access::Admin),
    ("staff_accounts", Access::Admin),
    ("staff_account_add", Access::Admin),
    ("staff_account_unlock", Access::Admin),
    ("staff_account_remove", Access::Admin),
    ("speech_config", Access::Anyone),
    ("speech_speak", Access::Anyone),
    ("speech_stop", Access::Anyone),
    ("speech_pause", Access::Anyone),
    ("speech_resume", Access::Anyone),
    ("speech_status", Access::Anyone),
];
