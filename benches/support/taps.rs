//! What the WebDriver benchmarks (soak.rs, startup.rs) share: the timed tap on Search, and
//! percentiles.

/// Clicks the search form's button and resolves with the ms until the frame after new
/// results are laid out. Results already on screen are marked first, so only new ones count.
pub const TIMED_SEARCH: &str = r#"
const [query, done] = arguments;
for (const old of document.querySelectorAll('[data-test=search-result]')) old.dataset.soakOld = '1';
const input = document.getElementById('search-input');
const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
setter.call(input, query);
input.dispatchEvent(new Event('input', { bubbles: true }));
const button = input.form.querySelector('button[type=submit]');
const start = performance.now();
button.click();
const deadline = start + 10000;
const check = () => {
  const fresh = document.querySelector('[data-test=screen][data-screen=search] [data-test=search-result]:not([data-soak-old])');
  if (fresh && fresh.getBoundingClientRect().height > 0) {
    requestAnimationFrame(() => done(performance.now() - start));
  } else if (performance.now() > deadline) {
    done(-1);
  } else {
    requestAnimationFrame(check);
  }
};
requestAnimationFrame(check);
"#;

/// The value at fraction `p` (0 to 1) of `values` sorted, nearest rank; NaN when empty.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[((p * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)]
}
