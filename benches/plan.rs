//! `cargo bench --bench plan`: planning time over 1k, 10k and 100k
//! generated posts (see support/generate.rs), alone and end to end from
//! YAML bytes (parse, validate, plan; 1k and 10k), and rendering a 10k-post
//! plan.
//! Peak memory is measured by `cargo bench --bench plan_memory`.
//!
//! Targets on a 2-core machine: 10k posts in under 300 ms, growing linearly.

use std::cell::OnceCell;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use tweetform::{load, markdown, plan, plan_json, terminal, validate};

#[path = "support/generate.rs"]
mod generate;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

fn settings<'c>(
    c: &'c mut Criterion,
    name: &str,
) -> criterion::BenchmarkGroup<'c, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    // Few, short samples: the point is the order of magnitude and the
    // growth, and `cargo bench` must stay well under two minutes. Flat
    // sampling runs as many iterations in every sample; the default (1, 2,
    // …, 10 times as many) would take 55 iterations of the slowest cases.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group
}

fn bench_plan(c: &mut Criterion) {
    let mut group = settings(c, "plan");
    for n in SIZES {
        // Built on first use, so that a filtered run (`cargo bench --bench
        // plan -- plan/10000`) generates and holds only its own posts.
        let data = OnceCell::new();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            let p = data.get_or_init(|| generate::project(n));
            b.iter(|| plan::plan(black_box(&p.posts), black_box(&p.state), generate::now()));
        });
    }
    group.finish();
}

fn bench_parse_validate_plan(c: &mut Criterion) {
    let mut group = settings(c, "parse_validate_plan");
    // 100k posts take seconds per iteration here, too long for ten samples;
    // `--bench plan_memory` times that size once, from files on disk.
    for n in &SIZES[..2] {
        let n = *n;
        let data = OnceCell::new();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            let p = data.get_or_init(|| generate::project(n));
            b.iter(|| {
                let posts: Vec<_> = p
                    .posts
                    .iter()
                    .zip(&p.yaml)
                    .filter_map(|(post, yaml)| {
                        load::parse_post(&post.key, Path::new(&post.file), yaml.as_bytes()).ok()
                    })
                    .collect();
                assert_eq!(posts.len(), p.posts.len(), "every generated post parses");
                let problems = validate::validate(&posts);
                assert!(problems.is_empty(), "{:?}", problems.first());
                plan::plan(&posts, &p.state, generate::now())
            });
        });
    }
    group.finish();
}

fn bench_render(c: &mut Criterion) {
    let mut group = settings(c, "render");
    let project = generate::project(10_000);
    let plan = plan::plan(&project.posts, &project.state, generate::now());
    group.bench_function("human/10000", |b| b.iter(|| terminal::human(&plan, false)));
    group.bench_function("markdown/10000", |b| b.iter(|| markdown::markdown(&plan)));
    group.bench_function("json/10000", |b| b.iter(|| plan_json::json(&plan)));
    group.finish();
}

criterion_group!(benches, bench_plan, bench_parse_validate_plan, bench_render);
criterion_main!(benches);
