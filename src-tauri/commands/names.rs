/// Every command the UI may call. build.rs generates a permission for each and the
/// capability in src-tauri/capabilities/ grants them to the main window, nothing else.
pub const NAMES: &[&str] = &[
    "app_info",
    "list_topics",
    "topic_articles",
    "get_article",
    "search",
    "suggest",
];
