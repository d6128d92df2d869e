//! `neuroloop sorn experiment counting`, end to end (in-process), on a shortened protocol: the
//! files it writes, the paper's qualitative result, and bad arguments.

mod common;

use common::{cli, fails};

/// Word length 6, 3 seeds, 20,000 plastic steps: long enough for the SORN to learn to count
/// (the full protocol is in docs/science.md).
const QUICK: [&str; 12] = [
    "sorn",
    "experiment",
    "counting",
    "--n",
    "6",
    "--seeds",
    "3",
    "--plastic-steps",
    "20000",
    "--train-steps",
    "2000",
    "--test-steps",
];

fn quick(out: &std::path::Path, extra: &[&str]) -> (u8, String, String) {
    let mut args: Vec<&str> = QUICK.to_vec();
    args.extend(["2000", "--out", out.to_str().unwrap()]);
    args.extend(extra);
    cli(&args)
}

#[test]
fn sorn_counts_where_the_controls_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("counting");
    let (code, _, err) = quick(&out, &[]);
    assert_eq!(code, 0, "{err}");
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("condition,n,seed,performance"));
    let rows: Vec<(String, u16, u64, f64)> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].parse().unwrap(), f[2].parse().unwrap(), f[3].parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len(), 9, "3 conditions x 1 n x 3 seeds");
    for cond in ["sorn", "static", "ip_only"] {
        let seeds: Vec<u64> = rows.iter().filter(|r| r.0 == cond && r.1 == 6).map(|r| r.2).collect();
        assert_eq!(seeds, [1, 2, 3], "{cond}");
    }
    // Per seed (the same network and letters in every condition): SORN predicts better than
    // both controls, and near the best possible; a memoryless reader scores 0.867 here.
    for seed in 1..=3 {
        let perf = |c: &str| rows.iter().find(|r| r.0 == c && r.2 == seed).unwrap().3;
        assert!(perf("sorn") > 0.97, "seed {seed}: sorn {}", perf("sorn"));
        assert!(perf("sorn") > perf("static") + 0.02 && perf("sorn") > perf("ip_only") + 0.02, "seed {seed}");
    }
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    assert!(metrics.starts_with("condition,n,seed,performance,accuracy,end_recall,rate\n"));
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("above both controls at every n: yes"), "{report}");
    for f in ["performance.png", "performance.svg", "end_recall.png", "end_recall.svg"] {
        assert!(std::fs::metadata(out.join(f)).unwrap().len() > 1000, "{f}");
    }
    // Deterministic: a second run with --force writes the same table.
    let (code, _, err) = quick(&out, &["--force"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_to_string(out.join("results.csv")).unwrap(), csv);
}

fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    [base, extra].concat()
}

#[test]
fn bad_arguments_are_clear_errors_and_nothing_is_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let base = ["sorn", "experiment", "counting", "--out", out];
    assert!(fails(&with(&base, &["--n", "4,0"])).contains("--n 0"));
    assert!(fails(&with(&base, &["--seeds", "0"])).contains("--seeds 0"));
    assert!(fails(&with(&base, &["--conditions", "sorn,plastic"])).contains("unknown condition"));
    assert!(fails(&with(&base, &["--ridge", "0"])).contains("--ridge"));
    assert!(fails(&with(&base, &["--ne", "20"])).contains("do not fit"));
    // A directory that is not an experiment is never overwritten, even with --force.
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let e = fails(&with(&base, &["--n", "4", "--seeds", "1", "--force"]));
    assert!(e.contains("not a counting experiment"), "{e}");
    assert_eq!(std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "mine");
}
