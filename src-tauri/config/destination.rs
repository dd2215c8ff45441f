//! The `[[destination]]` tables: where callback requests go besides the staff inbox.

use std::collections::BTreeMap;

use super::checks;
use super::reader::Reader;
use super::Config;
use crate::delivery::{webhook, Destination, Kind};

const WEBHOOK_KEYS: &[&str] = &["id", "kind", "url", "secret"];
const FHIR_KEYS: &[&str] = &[
    "id",
    "kind",
    "url",
    "token",
    "identifier_system",
    "recipients",
];

/// Every `[[destination]]` of `root` into `config.destinations` (and its id into the
/// callback settings' list); an id used twice, or the staff inbox's, is a problem.
pub(super) fn destinations(r: &mut Reader<'_>, root: &toml::Table, config: &mut Config) {
    match root.get("destination") {
        None => {}
        Some(toml::Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let key = format!("destination[{i}]");
                let Some(dt) = item.as_table() else {
                    r.problem(&key, "must be a [[destination]] table");
                    continue;
                };
                if let Some(destination) = destination(r, dt, &key) {
                    if destination.id == crate::delivery::STAFF_INBOX
                        || config.destinations.iter().any(|d| d.id == destination.id)
                    {
                        r.problem(
                            &format!("{key}.id"),
                            format!(
                                "`{}` is already taken; give each destination its own id",
                                destination.id
                            ),
                        );
                    } else {
                        config.callbacks.destinations.push(destination.id.clone());
                        config.destinations.push(destination);
                    }
                }
            }
        }
        Some(_) => r.problem(
            "destination",
            "write each destination as a [[destination]] table with id, kind and url",
        ),
    }
}

/// One `[[destination]]` table at `key`, or `None` (with its problems recorded).
fn destination(r: &mut Reader<'_>, dt: &toml::Table, key: &str) -> Option<Destination> {
    let kind = r.string(dt, key, "kind");
    let webhook = match kind.as_deref() {
        Some("webhook") => true,
        Some("fhir") => false,
        Some(other) => {
            r.problem(
                &format!("{key}.kind"),
                format!("`{other}` is not a kind of destination; use \"webhook\" or \"fhir\""),
            );
            return None;
        }
        None => {
            r.problem(key, "missing `kind` (\"webhook\" or \"fhir\")");
            return None;
        }
    };
    r.unknown_keys(dt, key, if webhook { WEBHOOK_KEYS } else { FHIR_KEYS });
    let id = match r.string(dt, key, "id") {
        Some(id) if crate::content::frontmatter::is_slug(&id) => Some(id),
        Some(id) => {
            r.problem(
                &format!("{key}.id"),
                format!("`{id}` must be lower-case letters, digits and hyphens"),
            );
            None
        }
        None => {
            if !dt.contains_key("id") {
                r.problem(
                    key,
                    "missing `id`, a short name staff will see, such as \"clinic-webhook\"",
                );
            }
            None
        }
    };
    let url = match r.string(dt, key, "url") {
        Some(u) => r.check(&format!("{key}.url"), checks::delivery_url(&u)),
        None => {
            if !dt.contains_key("url") {
                r.problem(key, "missing `url`");
            }
            None
        }
    };
    let kind = if webhook {
        webhook_kind(r, dt, key, url)
    } else {
        fhir_kind(r, dt, key, url)
    };
    Some(Destination {
        id: id?,
        kind: kind?,
    })
}

/// The text at `dt[name]`; a problem saying `what` it is for when the key is missing.
fn required(
    r: &mut Reader<'_>,
    dt: &toml::Table,
    key: &str,
    name: &str,
    what: &str,
) -> Option<String> {
    let value = r.string(dt, key, name);
    if value.is_none() && !dt.contains_key(name) {
        r.problem(key, format!("missing `{name}`: {what}"));
    }
    value
}

/// A webhook's `secret` (at least [`webhook::MIN_SECRET_LEN`] characters) with its `url`.
fn webhook_kind(
    r: &mut Reader<'_>,
    dt: &toml::Table,
    key: &str,
    url: Option<String>,
) -> Option<Kind> {
    let secret = required(
        r,
        dt,
        key,
        "secret",
        "the shared secret the receiver checks signatures with",
    );
    let secret = match secret {
        Some(s) if s.len() >= webhook::MIN_SECRET_LEN => Some(s),
        Some(_) => {
            r.problem(
                &format!("{key}.secret"),
                format!(
                    "is too short; use at least {} random characters",
                    webhook::MIN_SECRET_LEN
                ),
            );
            None
        }
        None => None,
    };
    Some(Kind::Webhook {
        url: url?,
        secret: secret?,
    })
}

/// A FHIR server's `token`, `identifier_system` and `recipients` with its base `url`.
fn fhir_kind(r: &mut Reader<'_>, dt: &toml::Table, key: &str, url: Option<String>) -> Option<Kind> {
    let token = required(
        r,
        dt,
        key,
        "token",
        "the bearer token the FHIR server expects",
    );
    let system = required(r, dt, key, "identifier_system", "a URI under which request ids are recorded, such as \"https://clinic.example/callback-request\"");
    let mut recipients = BTreeMap::new();
    match dt.get("recipients") {
        None => {}
        Some(toml::Value::Table(t)) => {
            for (slug, reference) in t {
                match reference.as_str() {
                    Some(reference) if reference.contains('/') => {
                        recipients.insert(slug.clone(), reference.to_string());
                    }
                    _ => r.problem(
                        &format!("{key}.recipients.{slug}"),
                        "must be a FHIR reference in quotes, such as \"PractitionerRole/42\"",
                    ),
                }
            }
        }
        Some(_) => r.problem(
            &format!("{key}.recipients"),
            "must be a table of specialty = \"Reference/id\"",
        ),
    }
    Some(Kind::Fhir {
        base: url?,
        token: token?,
        identifier_system: system?,
        recipients,
    })
}
