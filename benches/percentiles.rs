//! p50/p99/max of each search query kind, in English and in Spanish, over a generated
//! bilingual library of 10,000 articles in each language (every English article has its
//! Spanish translation, as content/ ships since issue #14), and of building that library.
//! Criterion gives means; a kiosk user feels the slow tail.
//!
//! `cargo bench --bench percentiles` prints Markdown tables. Options after `--`:
//! `--iterations N` (timed runs per query, default 3000), `--builds N` (default 5),
//! `--articles N` (in all, default 20000), `--mostly-english` (issue #2's library instead:
//! 10,000 articles, every 7th in Spanish, English queries only), `--keep` (leave the
//! generated folder and library.db in the temp dir). Without `--bench` (as
//! `cargo test --benches` runs it) it does a quick smoke run on a small library.
//!
//! Queries run round-robin, so a burst of noise from the shared machine hits every kind
//! alike: compare figures within one run, not across runs.

mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use clinic_kiosk::{content, library};
use support::Mix;

struct Options {
    mix: Mix,
    articles: usize,
    iterations: usize,
    warm_up: usize,
    builds: usize,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let full = args.iter().any(|a| a == "--bench");
    let mix = if args.iter().any(|a| a == "--mostly-english") {
        Mix::MostlyEnglish
    } else {
        Mix::Paired
    };
    let mut o = if full {
        Options {
            mix,
            // Paired: 10,000 in each language.
            articles: match mix {
                Mix::MostlyEnglish => support::ARTICLES,
                Mix::Paired => 2 * support::ARTICLES,
            },
            iterations: 3_000,
            warm_up: 200,
            builds: 5,
        }
    } else {
        Options {
            mix,
            articles: 300,
            iterations: 20,
            warm_up: 2,
            builds: 1,
        }
    };
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(|v| {
                v.parse::<usize>()
                    .unwrap_or_else(|_| panic!("{name} needs a number"))
            })
    };
    if let Some(n) = value("--articles") {
        o.articles = n;
    }
    if let Some(n) = value("--iterations") {
        o.iterations = n.max(1);
    }
    if let Some(n) = value("--builds") {
        o.builds = n;
    }
    o
}

/// The `p`-th percentile (0 to 100) of sorted samples, nearest rank.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

fn main() {
    let o = options();
    let started = Instant::now();
    let fixture = support::fixture(o.articles, o.mix);
    eprintln!("fixture ready in {:.1} s", started.elapsed().as_secs_f64());

    // Building: content::load + library::build, as the app does when content changes.
    if o.builds > 0 {
        let out = tempfile::tempdir().expect("a temporary folder");
        let db = out.path().join("library.db");
        let content_dir = fixture.content_dir();
        let mut loads = Vec::new();
        let mut writes = Vec::new();
        let mut totals = Vec::new();
        for _ in 0..o.builds {
            let t0 = Instant::now();
            let (content, diags) = content::load(black_box(&content_dir));
            assert!(!diags.has_errors());
            let t1 = Instant::now();
            library::build(&content, &db).expect("build");
            let t2 = Instant::now();
            // The app frees the content after a build; that is part of what it waits for.
            drop(content);
            let t3 = Instant::now();
            loads.push(t1 - t0);
            writes.push(t2 - t1);
            totals.push(t3 - t0);
        }
        println!(
            "\n### Build of {} articles: {} en, {} es ({} runs)\n",
            o.articles, fixture.generated.english, fixture.generated.spanish, o.builds
        );
        println!("| step | min ms | median ms | max ms |");
        println!("|---|---:|---:|---:|");
        for (name, mut v) in [
            ("content::load", loads),
            ("library::build", writes),
            ("load + build + drop", totals),
        ] {
            v.sort();
            println!(
                "| {name} | {} | {} | {} |",
                ms(v[0]),
                ms(percentile(&v, 50.0)),
                ms(*v.last().expect("at least one build"))
            );
        }
    }

    let mut queries = support::queries(&fixture.generated, "en");
    if o.mix == Mix::Paired {
        queries.extend(support::queries(&fixture.generated, "es"));
    }
    let library = &fixture.library;
    for q in &queries {
        for _ in 0..o.warm_up {
            black_box(support::run(library, black_box(q)));
        }
    }
    let mut samples: Vec<Vec<Duration>> = vec![Vec::with_capacity(o.iterations); queries.len()];
    let mut found = vec![0; queries.len()];
    for _ in 0..o.iterations {
        for (i, q) in queries.iter().enumerate() {
            let t = Instant::now();
            found[i] = black_box(support::run(library, black_box(q)));
            samples[i].push(t.elapsed());
        }
    }

    println!(
        "\n### Search over {} articles ({} runs per query after {} warm-up, round-robin)\n",
        o.articles, o.iterations, o.warm_up
    );
    println!("| lang | query | text | results | p50 ms | p90 ms | p99 ms | max ms | mean ms |");
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|");
    for (i, q) in queries.iter().enumerate() {
        let v = &mut samples[i];
        v.sort();
        let mean = v.iter().sum::<Duration>() / v.len() as u32;
        println!(
            "| {} | {} | `{}` | {} | {} | {} | {} | {} | {} |",
            q.lang,
            q.name,
            q.text,
            found[i],
            ms(percentile(v, 50.0)),
            ms(percentile(v, 90.0)),
            ms(percentile(v, 99.0)),
            ms(*v.last().expect("at least one run")),
            ms(mean)
        );
    }
    println!();
    for q in &queries {
        println!(
            "- {} {}: {}",
            q.lang,
            q.name,
            support::describe(&fixture.generated, q)
        );
    }
    if std::env::args().any(|a| a == "--keep") {
        let support::Fixture { dir, library, .. } = fixture;
        drop(library);
        eprintln!("kept {}", dir.keep().display());
    }
}
