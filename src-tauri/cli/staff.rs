//! `clinic-kiosk staff ...`: staff accounts in kiosk.db, for IT at the kiosk itself (the
//! first account is made here).

use std::path::PathBuf;

use super::args::StaffAction;

/// A role as the command line prints it.
fn role_words(role: crate::callbacks::staff::Role) -> &'static str {
    match role {
        crate::callbacks::staff::Role::FrontDesk => "front desk",
        crate::callbacks::staff::Role::Admin => "admin",
    }
}

/// A PIN typed twice at a terminal (not echoed), or one line from a pipe.
fn read_pin() -> Result<String, String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        let first =
            rpassword::prompt_password("PIN (6 to 12 digits): ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("PIN again: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the two PINs differ; nothing was changed".into());
        }
        Ok(first.trim().to_string())
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok(line.trim().to_string())
    }
}

/// Runs one `staff` subcommand on kiosk.db, in the audit log as `command line`; returns
/// the exit code.
pub(super) fn run(action: StaffAction) -> i32 {
    use crate::callbacks::staff::{self as accounts, Role};
    let by = "command line";
    let policy = |config: Option<PathBuf>| crate::config::Config::load(config).0.staff;
    let result = (|| -> Result<String, String> {
        let conn = super::kiosk_db()?;
        let now = crate::callbacks::now_ms();
        let failed = |e: crate::callbacks::CallbackError| e.to_string();
        match action {
            StaffAction::Add { name, role, config } => {
                let role = Role::parse(&role).unwrap_or(Role::FrontDesk);
                let pin = read_pin()?;
                let (name, role) =
                    accounts::add(&conn, &name, &pin, role, &policy(config), by, now)
                        .map_err(failed)?;
                Ok(format!(
                    "added staff account `{name}` ({})",
                    role_words(role)
                ))
            }
            StaffAction::SetPin { name, config } => {
                let pin = read_pin()?;
                let name = accounts::set_pin(&conn, &name, &pin, &policy(config), by, now)
                    .map_err(failed)?;
                Ok(format!("changed the PIN of `{name}`"))
            }
            StaffAction::Unlock {
                name: Some(name),
                kiosk: false,
            } => {
                let name = accounts::lift_lock(&conn, &name, by, now).map_err(failed)?;
                Ok(format!("`{name}` can unlock the staff view again"))
            }
            StaffAction::Unlock { .. } => {
                accounts::lift_kiosk_lock(&conn, by, now).map_err(failed)?;
                Ok("the kiosk's wrong-PIN lock is lifted".into())
            }
            StaffAction::Remove { name } => {
                let name = accounts::remove(&conn, &name, by, now).map_err(failed)?;
                Ok(format!("removed staff account `{name}`"))
            }
            StaffAction::List => Ok(accounts::accounts(&conn)
                .map_err(failed)?
                .into_iter()
                .map(|a| {
                    let locked = if a.locked { ", LOCKED" } else { "" };
                    format!("{}\t{}{locked}", a.name, role_words(a.role))
                })
                .collect::<Vec<_>>()
                .join("\n")),
        }
    })();
    match result {
        Ok(message) => {
            println!("{message}");
            0
        }
        Err(message) => {
            eprintln!("clinic-kiosk: {message}");
            1
        }
    }
}
