/// Every command the UI may call. build.rs generates a permission for each and the
/// capability in src-tauri/capabilities/ grants them to the main window, nothing else.
pub const NAMES: &[&str] = &[
    "app_info",
    "list_topics",
    "topic_articles",
    "get_article",
    "search",
    "suggest",
    "callback_config",
    "new_request_id",
    "submit_callback",
    "staff_status",
    "staff_create_first",
    "staff_unlock",
    "staff_lock",
    "inbox_list",
    "request_update",
    "export_callbacks",
    "audit_list",
    "staff_health",
];
