//! Staff access that a patient cannot take over (issue #10): a fresh kiosk only explains how
//! IT makes the first account; a front-desk account sees no admin controls (and Rust refuses
//! them); an admin adds, unlocks and removes accounts, and wrong PINs end in a hard lock.

use anyhow::{ensure, Result};
use serde_json::Value;

use crate::driver::Session;
use crate::kiosk::{sign_in_as, sign_in_staff};
use crate::{tap_pin, STAFF_NAME};

/// A front-desk account, made on the command line before its journey's app starts.
pub const FRONT_DESK_NAME: &str = "Test Front Desk";
pub const FRONT_DESK_PIN: &str = "470285";
/// An account an admin adds on the screen, locks out with wrong PINs, unlocks and removes.
const DESK_NAME: &str = "Test Desk";
const DESK_PIN: &str = "369147";

async fn js(s: &Session, script: &str) -> Result<Value> {
    Ok(s.client.execute(script, vec![]).await?)
}

/// Runs `invoke(command, args)` in the page; answers "accepted" or the refusal's kind.
async fn invoke_kind(s: &Session, command: &str, args: Value) -> Result<String> {
    let answer = s
        .client
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI__.core.invoke({}, {args})
                   .then(() => done('accepted'), (e) => done(typeof e === 'object' && e ? String(e.kind) : 'refused'));",
                serde_json::to_string(command)?
            ),
            vec![],
        )
        .await?;
    Ok(answer.as_str().unwrap_or_default().to_string())
}

/// Before any account exists, Staff opens a calm screen that says how IT makes the first
/// one on the command line, in the screen's language, and offers only the way back.
pub async fn a_fresh_kiosk_offers_no_staff_setup(s: &Session) -> Result<()> {
    let has_accounts = s
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI__.core.invoke('staff_status').then(r => done(r.hasAccounts), () => done(null));",
            vec![],
        )
        .await?;
    ensure!(
        has_accounts == Value::Bool(false),
        "this journey needs a data folder without staff accounts (hasAccounts: {has_accounts})"
    );

    s.click("[data-test=staff-open]").await?;
    s.wait_screen("staff-none").await?;
    let fields = s
        .count("#main input, #main textarea, #main select, #main [contenteditable]")
        .await?;
    ensure!(
        fields == 0,
        "the no-account screen has no field to type in ({fields})"
    );
    let controls = s.attrs("#main button, #main a[href]", "data-test").await?;
    ensure!(
        controls == ["staff-none-back"],
        "the no-account screen offers only the way back: {controls:?}"
    );
    let command = s.text("[data-test=staff-none-command]").await?;
    ensure!(
        command == "clinic-kiosk staff add \"Your name\" --role admin",
        "the screen shows IT's command: {command:?}"
    );
    let text = s.text("#main").await?;
    ensure!(
        text.contains("at least 6 digits"),
        "it says how long a PIN is: {text:?}"
    );
    s.assert_accessible("staff-none").await?;
    s.screenshot("staff-none").await?;

    // In Spanish too.
    s.click("[data-test=lang-es]").await?;
    s.wait_js(
        "return document.querySelector('[data-test=staff-none-command]')?.textContent.includes('Su nombre')",
        "the no-account screen in Spanish",
    )
    .await?;
    ensure!(
        s.text("#main").await?.contains("línea de comandos"),
        "the Spanish screen explains the command line"
    );
    s.assert_accessible("staff-none-es").await?;
    s.screenshot("staff-none-es").await?;

    // Nothing the page can call makes an account.
    let first = invoke_kind(
        s,
        "staff_create_first",
        serde_json::json!({ "name": "Someone", "pin": "258013" }),
    )
    .await?;
    ensure!(first != "accepted", "staff_create_first is gone");
    let add = invoke_kind(
        s,
        "staff_account_add",
        serde_json::json!({ "token": null, "name": "Someone", "pin": "258013", "role": "admin" }),
    )
    .await?;
    ensure!(
        add == "unauthorized",
        "adding an account without a session is refused, got {add}"
    );

    s.click("[data-test=staff-none-back]").await?;
    s.wait_screen("home").await?;
    s.click("[data-test=lang-en]").await?;
    Ok(())
}

/// A front-desk account works the inbox but sees no way out of kiosk mode, no pairing, no
/// article updates and no staff accounts; Rust refuses those commands to it anyway.
pub async fn a_front_desk_account_sees_no_admin_controls(s: &Session) -> Result<()> {
    let (_, _, full_width, _) = s.client.get_window_rect().await?;
    sign_in_as(s, FRONT_DESK_NAME, FRONT_DESK_PIN).await?;
    let lead = s.text(".page-head__lead").await?;
    ensure!(
        lead.contains(FRONT_DESK_NAME) && lead.contains("Front desk"),
        "the inbox says who is signed in, and as what: {lead:?}"
    );
    ensure!(
        s.count("[data-test=accounts-tab]").await? == 0,
        "no staff accounts tab for the front desk"
    );

    // Export is for the front desk too.
    ensure!(
        s.count("[data-test=export-csv]").await? == 1,
        "the front desk can export"
    );

    // Health: the facts, none of the admin's controls.
    s.click("[data-test=health-tab]").await?;
    s.wait_js(
        "return document.querySelector('[data-test=health-articles] dd')?.textContent",
        "the health facts",
    )
    .await?;
    for control in [
        "leave-kiosk",
        "quit",
        "quit-confirm",
        "packs",
        "pack-import",
    ] {
        ensure!(
            s.count(&format!("[data-test={control}]")).await? == 0,
            "the front desk has no {control} control"
        );
    }
    ensure!(
        s.count("[data-test=health-admin-note]").await? == 1,
        "the health tab says what is for admins"
    );
    s.assert_accessible("staff-health-front-desk").await?;
    s.screenshot("staff-health-front-desk").await?;

    // The front desk link: the state, no pairing or unpairing.
    s.click("[data-test=lan-tab]").await?;
    s.wait_js(
        "return !!document.querySelector('[data-test=lan-admin-note]')",
        "the front desk link tab",
    )
    .await?;
    for control in [
        "lan-pair",
        "lan-unpair",
        "lan-show-code",
        "lan-unpair-kiosk",
    ] {
        ensure!(
            s.count(&format!("[data-test={control}]")).await? == 0,
            "the front desk has no {control} control"
        );
    }
    ensure!(
        s.count("#lan-address").await? == 0,
        "no pairing form for the front desk"
    );
    s.assert_accessible("lan-front-desk").await?;

    // Rust refuses the admin's commands to this account's session.
    let token = s
        .client
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI__.core.invoke('staff_unlock', {{ name: {}, pin: {} }})
                   .then((r) => done(r.role + ' ' + r.token), (e) => done('refused ' + e.kind));",
                serde_json::to_string(FRONT_DESK_NAME)?,
                serde_json::to_string(FRONT_DESK_PIN)?
            ),
            vec![],
        )
        .await?;
    let token = token.as_str().unwrap_or_default().to_string();
    let Some(token) = token.strip_prefix("frontDesk ") else {
        anyhow::bail!("the front-desk account unlocks with role frontDesk, got {token:?}");
    };
    for command in [
        "staff_leave_kiosk",
        "staff_quit",
        "staff_accounts",
        "lan_show_code",
    ] {
        let kind = invoke_kind(s, command, serde_json::json!({ "token": token })).await?;
        ensure!(
            kind == "forbidden",
            "{command} is refused to the front desk, got {kind}"
        );
    }
    let (_, _, width, _) = s.client.get_window_rect().await?;
    ensure!(width == full_width, "the kiosk is still fullscreen");
    Ok(())
}

/// An admin's staff accounts tab: the PIN rules in words, Rust's own refusal, a new
/// front-desk account; three wrong PINs lock it (the pad says who can lift it); the admin
/// unlocks it and removes it. Run with `[staff] hard_lock_after = 3`.
pub async fn an_admin_manages_staff_accounts(s: &Session) -> Result<()> {
    sign_in_staff(s).await?;
    s.click("[data-test=accounts-tab]").await?;
    s.wait_js(
        "return document.querySelectorAll('[data-test=account]').length",
        "the staff accounts",
    )
    .await?;
    let me = format!("[data-test=account][data-name='{STAFF_NAME}']");
    ensure!(
        s.attrs(&me, "data-role").await? == ["admin"],
        "the command line's first account is an admin"
    );
    ensure!(
        s.count(&format!("{me} [data-test=account-remove]")).await? == 0,
        "no one removes their own account"
    );

    // A PIN easy to guess is refused in words before Rust is asked.
    s.css("#account-name").await?.send_keys(DESK_NAME).await?;
    s.css("#account-pin").await?.send_keys("123456").await?;
    s.css("#account-pin2").await?.send_keys("123456").await?;
    s.click("[data-test=account-add]").await?;
    s.wait_js(
        "const e = document.querySelector('[data-test=field-error][data-field=pin]'); return !!e && !e.hidden && e.textContent.includes('123456')",
        "the PIN rule, in words",
    )
    .await?;

    // A name that is taken: Rust says so.
    clear(s, "#account-name").await?;
    s.css("#account-name").await?.send_keys(STAFF_NAME).await?;
    enter_pins(s, DESK_PIN).await?;
    s.click("[data-test=account-add]").await?;
    s.wait_js(
        "const m = document.querySelector('[data-test=account-message]'); return !!m && !m.hidden && m.textContent.includes('already exists')",
        "Rust's refusal of a name that is taken",
    )
    .await?;
    s.client
        .execute(
            "document.querySelector('[data-test=account-form]').scrollIntoView({ block: 'start' }); return true;",
            vec![],
        )
        .await?;
    s.screenshot("staff-accounts-add").await?;

    // A new front-desk account, its name typed on the on-screen keys.
    clear(s, "#account-name").await?;
    s.click("#account-name").await?;
    s.tap_keys(DESK_NAME).await?;
    enter_pins(s, DESK_PIN).await?;
    s.click("[data-test=account-add]").await?;
    let desk = format!("[data-test=account][data-name='{DESK_NAME}']");
    s.wait_js(
        &format!(
            "return !!document.querySelector({})",
            serde_json::to_string(&desk)?
        ),
        "the new account in the list",
    )
    .await?;
    ensure!(
        s.attrs(&desk, "data-role").await? == ["frontDesk"],
        "a new account is front desk unless the admin chose otherwise"
    );
    s.wait_js(
        "return document.querySelector('[data-test=accounts-status]')?.textContent.includes('was added')",
        "the tab saying the account was added",
    )
    .await?;
    let small = js(
        s,
        "return [...document.querySelectorAll('#panel-accounts button, #panel-accounts input:not([type=radio]), #panel-accounts .choice')]
           .filter(e => e.getClientRects().length)
           .map(e => [e.dataset.test || e.id || e.className, e.getBoundingClientRect()])
           .filter(([, r]) => r.width < 44 || r.height < 44)
           .map(([name, r]) => `${name} ${Math.round(r.width)}x${Math.round(r.height)}`)",
    )
    .await?;
    ensure!(
        small.as_array().is_some_and(Vec::is_empty),
        "every control on the accounts tab is at least 44 px: {small}"
    );
    s.client.execute("window.scrollTo(0, 0)", vec![]).await?;
    s.assert_accessible("staff-accounts").await?;
    s.screenshot("staff-accounts").await?;

    // Three wrong PINs in a row lock the new account.
    s.click("[data-test=staff-lock]").await?;
    s.wait_screen("staff-pin").await?;
    s.click(&format!("[data-test=staff-name][data-name='{DESK_NAME}']"))
        .await?;
    for _ in 0..3 {
        tap_pin(s, "147036").await?;
        s.wait_js(
            "const ok = document.querySelector('[data-test=pin-key][data-key=ok]');
             const m = document.querySelector('[data-test=pin-message]');
             return (!ok.disabled && m.textContent.includes('Wrong PIN')) || m.dataset.kind === 'hardLocked'",
            "the answer to a wrong PIN",
        )
        .await?;
    }
    s.wait_js(
        "return document.querySelector('[data-test=pin-message]')?.dataset.kind === 'hardLocked'",
        "the hard lock",
    )
    .await?;
    let message = s.text("[data-test=pin-message]").await?;
    ensure!(
        message.contains("An admin can unlock it") && message.contains("clinic-kiosk staff unlock"),
        "the pad says who can lift the lock: {message:?}"
    );
    let enabled = js(
        s,
        "return [...document.querySelectorAll('[data-test=pin-key]')].filter(k => !k.disabled).length",
    )
    .await?;
    ensure!(
        enabled == 0,
        "the pad is off for a locked account ({enabled} keys on)"
    );
    s.assert_accessible("staff-pin-hard-locked").await?;
    s.screenshot("staff-pin-hard-locked").await?;

    // The admin (another name: the pad works again) lifts the lock, then removes the account.
    sign_in_staff(s).await?;
    s.click("[data-test=accounts-tab]").await?;
    s.wait_js(
        &format!(
            "return document.querySelector({})?.dataset.locked === 'true'",
            serde_json::to_string(&desk)?
        ),
        "the account shown locked",
    )
    .await?;
    s.click(&format!("{desk} [data-test=account-unlock]"))
        .await?;
    s.wait_js(
        &format!(
            "return document.querySelector({})?.dataset.locked === 'false'",
            serde_json::to_string(&desk)?
        ),
        "the account unlocked",
    )
    .await?;
    s.click(&format!("{desk} [data-test=account-remove]"))
        .await?;
    s.click("[data-test=account-remove-confirm]").await?;
    s.wait_js(
        &format!(
            "return !document.querySelector({})",
            serde_json::to_string(&desk)?
        ),
        "the account gone",
    )
    .await?;

    // All of it is in the audit log.
    s.click("[data-test=audit-tab]").await?;
    for action in [
        "staff-added",
        "account-hard-locked",
        "account-unlocked",
        "staff-removed",
    ] {
        s.wait_js(
            &format!(
                "return !!document.querySelector('[data-test=audit-row][data-action={action}]')"
            ),
            &format!("the audit entry {action}"),
        )
        .await?;
    }
    Ok(())
}

async fn clear(s: &Session, selector: &str) -> Result<()> {
    s.css(selector).await?.clear().await?;
    Ok(())
}

async fn enter_pins(s: &Session, pin: &str) -> Result<()> {
    for field in ["#account-pin", "#account-pin2"] {
        clear(s, field).await?;
        s.css(field).await?.send_keys(pin).await?;
    }
    Ok(())
}
