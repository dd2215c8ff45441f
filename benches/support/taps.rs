//! What the WebDriver benchmarks (soak.rs, startup.rs) share: the timed tap on Search, and
//! percentiles.

/// Clicks the search form's button and resolves with `[laid out, next frame]`: the ms until
/// the new results are in the page and laid out (seen by a MutationObserver, which runs
/// right after the change, with the layout forced there), and until the next animation
/// frame after that (what a frame-by-frame poll would see: on a 60 Hz display up to 16.7 ms
/// more, whatever the app does). Results already on screen are marked first, so only new
/// ones count. `null` after 10 s without results.
pub const TIMED_SEARCH: &str = r#"
const [query, done] = arguments;
for (const old of document.querySelectorAll('[data-test=search-result]')) old.dataset.soakOld = '1';
const input = document.getElementById('search-input');
const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
setter.call(input, query);
input.dispatchEvent(new Event('input', { bubbles: true }));
const button = input.form.querySelector('button[type=submit]');
let laidOut;
const fresh = () => document.querySelector('[data-test=screen][data-screen=search] [data-test=search-result]:not([data-soak-old])');
const observer = new MutationObserver(() => {
  const result = fresh();
  // getBoundingClientRect lays the page out now, so the time includes layout.
  if (laidOut === undefined && result && result.getBoundingClientRect().height > 0) {
    laidOut = performance.now() - start;
    observer.disconnect();
    requestAnimationFrame(() => done([laidOut, performance.now() - start]));
  }
});
observer.observe(document.body, { childList: true, subtree: true, attributes: true });
const start = performance.now();
button.click();
setTimeout(() => {
  if (laidOut === undefined) {
    observer.disconnect();
    done(null);
  }
}, 10000);
"#;

/// [`TIMED_SEARCH`]'s answer as (laid out, next frame) in ms; `None` when no results came.
pub fn timed(answer: &serde_json::Value) -> Option<(f64, f64)> {
    let pair = answer.as_array()?;
    Some((pair.first()?.as_f64()?, pair.get(1)?.as_f64()?))
}

/// The value at fraction `p` (0 to 1) of `values` sorted, nearest rank; NaN when empty.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[((p * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)]
}
