//! A moved clock in the real window (issue #16, item 5): the page's idle timing is monotonic,
//! and a resume from suspend or a wall clock set back clears what a patient left on screen at
//! once, long before the 90 s idle time. The page's own `Date.now` is moved (what a resume or
//! a clock step looks like to it: the wall clock jumps, `performance.now` does not).
//! tests/js/idle.test.js covers the detection's edges with fake timers.

use anyhow::{ensure, Result};

use crate::driver::Session;

const LEFT_BEHIND: &str = "Test Before Suspend";

/// Moves the page's wall clock by `ms` from the real one (the same real clock each time).
fn move_wall_clock(ms: i64) -> String {
    format!(
        "window.__realNow ??= Date.now.bind(Date);
         Date.now = () => window.__realNow() + ({ms});
         return true;"
    )
}

/// A half-filled callback form, then the wall clock moved by `ms`: the attract screen comes
/// within a few ticks and the name is gone.
async fn form_then_clock(s: &Session, ms: i64, what: &str) -> Result<()> {
    s.client
        .execute("location.hash = '#/callback'; return true", vec![])
        .await?;
    s.wait_screen("callback").await?;
    s.css("#cb-name").await?.send_keys(LEFT_BEHIND).await?;
    ensure!(
        s.traces(&[LEFT_BEHIND]).await? == [LEFT_BEHIND],
        "the name is in the form"
    );
    s.client.execute(&move_wall_clock(ms), vec![]).await?;
    s.wait_js_for(
        "return !document.querySelector('[data-test=attract]').hidden",
        &format!("the attract screen after {what}"),
        10,
    )
    .await?;
    ensure!(
        s.traces(&[LEFT_BEHIND]).await?.is_empty(),
        "after {what}, the half-filled form is gone from the page"
    );
    s.click("[data-test=attract]").await?;
    s.wait_screen("home").await?;
    Ok(())
}

/// A resume after two hours asleep, then a wall clock set back an hour, each with a form
/// left half filled: both clear the screen for the next patient.
pub async fn a_resume_or_a_clock_step_clears_the_screen(s: &Session) -> Result<()> {
    s.wait_screen("home").await?;
    form_then_clock(s, 2 * 3_600_000, "a resume from two hours of suspend").await?;
    form_then_clock(s, -3_600_000, "the clock was set back an hour").await?;
    // After the jumps, ordinary use is not cut short: a form stays while the clock is steady.
    s.client
        .execute("location.hash = '#/callback'; return true", vec![])
        .await?;
    s.wait_screen("callback").await?;
    s.css("#cb-name").await?.send_keys(LEFT_BEHIND).await?;
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    ensure!(
        s.screen().await? == "callback" && s.traces(&[LEFT_BEHIND]).await? == [LEFT_BEHIND],
        "with a steady clock the form stays"
    );
    Ok(())
}
