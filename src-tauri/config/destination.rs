//! The `[[destination]]` tables: where callback requests go besides the staff inbox.

use std::collections::BTreeMap;

use super::checks;
use super::reader::Reader;
use super::Config;
use crate::delivery::{smart, webhook, Destination, FhirAuth, Kind};

const WEBHOOK_KEYS: &[&str] = &["id", "kind", "url", "secret"];
const FHIR_KEYS: &[&str] = &[
    "id",
    "kind",
    "url",
    "token_file",
    "smart_token_url",
    "smart_client_id",
    "smart_key_file",
    "smart_key_id",
    "smart_scope",
    "identifier_system",
    "recipients",
];

/// The scopes a kiosk asks a SMART token endpoint for unless `smart_scope` says otherwise.
const SMART_SCOPE: &str = "system/CommunicationRequest.write";

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

/// What the config file at `path` names that the content does not have: each FHIR
/// destination's `recipients` key that is not one of `specialties` (the content's
/// topics.toml), since requests for the specialty it meant would carry no reference. Lines
/// are found in the file as it is now; `config` is what was read from it.
pub fn content_problems(
    path: &std::path::Path,
    config: &Config,
    specialties: &[String],
) -> Vec<super::ConfigProblem> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut r = Reader {
        path,
        lines: std::collections::HashMap::new(),
        problems: Vec::new(),
    };
    if let Ok(doc) = toml::de::DeTable::parse(&text) {
        super::reader::key_lines(doc.get_ref(), "", &text, &mut r.lines);
    }
    let root: toml::Table = toml::from_str(&text).unwrap_or_default();
    let tables = root.get("destination").and_then(toml::Value::as_array);
    for destination in &config.destinations {
        let Kind::Fhir { recipients, .. } = &destination.kind else {
            continue;
        };
        let i = tables
            .and_then(|t| {
                t.iter().position(|d| {
                    d.get("id").and_then(toml::Value::as_str) == Some(&destination.id)
                })
            })
            .unwrap_or(0);
        for slug in recipients.keys().filter(|s| !specialties.contains(s)) {
            r.problem(
                &format!("destination[{i}].recipients.{slug}"),
                format!(
                    "`{slug}` is not a specialty of the content (topics.toml), so no request would go to this reference; use one of: {}",
                    specialties.join(", ")
                ),
            );
        }
    }
    r.problems
}

/// How a FHIR destination gets its token: `token_file`, or SMART Backend Services
/// (`smart_token_url`, `smart_client_id`, `smart_key_file`, `smart_key_id`, `smart_scope`).
fn fhir_auth(r: &mut Reader<'_>, dt: &toml::Table, key: &str) -> Option<FhirAuth> {
    let config_dir = r.path.parent().unwrap_or(std::path::Path::new("."));
    let smart = dt.keys().any(|k| k.starts_with("smart_"));
    if dt.contains_key("token_file") && smart {
        r.problem(
            key,
            "give either token_file or the smart_* keys (SMART Backend Services), not both",
        );
        return None;
    }
    if !smart {
        let file = required(
            r,
            dt,
            key,
            "token_file",
            "the file holding the bearer token the FHIR server expects, such as \"/etc/clinic-kiosk/fhir-token\" (readable by the kiosk's user only); or the smart_* keys of SMART Backend Services",
        )?;
        let file = r.check(
            &format!("{key}.token_file"),
            checks::token_file(config_dir, &file),
        )?;
        return Some(FhirAuth::TokenFile(file));
    }
    let token_url = required(
        r,
        dt,
        key,
        "smart_token_url",
        "the EHR's token endpoint (token_endpoint in its .well-known/smart-configuration)",
    )
    .and_then(|u| r.check(&format!("{key}.smart_token_url"), checks::delivery_url(&u)));
    let client_id = required(
        r,
        dt,
        key,
        "smart_client_id",
        "the client id the EHR registered this kiosk under",
    );
    let key_file = required(
        r,
        dt,
        key,
        "smart_key_file",
        "the kiosk's P-384 private key (PKCS#8 PEM, chmod 600), whose public key the EHR has",
    )
    .and_then(|f| {
        r.check(
            &format!("{key}.smart_key_file"),
            checks::smart_key_file(config_dir, &f),
        )
    });
    let key_id = required(
        r,
        dt,
        key,
        "smart_key_id",
        "the key's `kid` in the JWK set registered at the EHR",
    );
    let scope = match dt.get("smart_scope") {
        None => Some(SMART_SCOPE.to_string()),
        Some(_) => r.string(dt, key, "smart_scope"),
    };
    Some(FhirAuth::Smart(smart::Client {
        token_url: token_url?,
        client_id: client_id?,
        key_file: key_file?,
        key_id: key_id?,
        scope: scope?,
    }))
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

/// A FHIR server's `token_file`, `identifier_system` and `recipients` with its base `url`.
fn fhir_kind(r: &mut Reader<'_>, dt: &toml::Table, key: &str, url: Option<String>) -> Option<Kind> {
    if dt.contains_key("token") {
        // Listed apart from the unknown keys: say where the token goes instead.
        r.problems.retain(|p| p.key != format!("{key}.token"));
        r.problem(
            &format!("{key}.token"),
            "the token does not belong in the config file (anyone who reads the file could use it); put it in a file only the kiosk's user can read (chmod 600) and name that file with token_file = \"/etc/clinic-kiosk/fhir-token\"",
        );
    }
    let auth = fhir_auth(r, dt, key);
    let system = required(r, dt, key, "identifier_system", "a URI under which request ids are recorded, such as \"https://clinic.example/callback-request\"")
        .and_then(|s| r.check(&format!("{key}.identifier_system"), checks::identifier_system(&s)));
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
        auth: auth?,
        identifier_system: system?,
        recipients,
    })
}
