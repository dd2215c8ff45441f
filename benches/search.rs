//! Criterion benchmarks of a generated 10,000-article library: building it, and searching it.
//!
//! `cargo bench --bench search` runs both groups; `-- build_10k` or `-- search_10k` runs one.
//! Criterion reports means and confidence intervals; benches/percentiles.rs gives p50/p99.

mod support;

use std::hint::black_box;
use std::time::Duration;

use clinic_kiosk::{content, library};
use criterion::Criterion;

use support::{Fixture, Mix, ARTICLES};

/// Reading and checking the folder, writing library.db, and both together. A build is
/// seconds long, so few samples; each sample is one build.
fn build_10k(c: &mut Criterion, fixture: &Fixture) {
    let content_dir = fixture.content_dir();
    let out = tempfile::tempdir().expect("a temporary folder");
    let db = out.path().join("library.db");
    let mut group = c.benchmark_group("build_10k");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));

    group.bench_function("load", |b| {
        b.iter(|| {
            let (content, diags) = content::load(black_box(&content_dir));
            assert!(!diags.has_errors());
            content
        })
    });
    let (content, _) = content::load(&content_dir);
    group.bench_function("write_db", |b| {
        b.iter(|| library::build(black_box(&content), &db).expect("build"))
    });
    drop(content);
    group.bench_function("load_and_build", |b| {
        b.iter(|| {
            let (content, diags) = content::load(black_box(&content_dir));
            assert!(!diags.has_errors());
            library::build(&content, &db).expect("build")
        })
    });
    group.finish();
}

/// The query kinds through `Library::search` and `Library::suggest`.
fn search_10k(c: &mut Criterion, fixture: &Fixture) {
    let mut group = c.benchmark_group("search_10k");
    group.measurement_time(Duration::from_secs(8));
    for query in support::queries(&fixture.generated, "en") {
        let found = support::run(&fixture.library, &query);
        assert!(
            found > 0,
            "`{}` finds nothing; the bench would time a miss",
            query.text
        );
        eprintln!(
            "search_10k/{}: {:?} -> {found} results; {}",
            query.name,
            query.text,
            support::describe(&fixture.generated, &query)
        );
        group.bench_function(query.name, |b| {
            b.iter(|| support::run(&fixture.library, black_box(&query)))
        });
    }
    group.finish();
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    // One fixture for both groups: generating and building it takes seconds. Without
    // `--bench` (`cargo test --benches`) criterion runs each bench once as a smoke test, so
    // a small library will do.
    let full = std::env::args().any(|a| a == "--bench");
    // Issue #2's mostly English library and English queries, so the figures still compare.
    let fixture = support::fixture(if full { ARTICLES } else { 300 }, Mix::MostlyEnglish);
    build_10k(&mut c, &fixture);
    search_10k(&mut c, &fixture);
    c.final_summary();
}
