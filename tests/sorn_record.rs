//! Recorders: what they keep, their memory budget, and their .npy / .csv exports (read back
//! with npyz here, and with numpy when a Python with numpy is available).

mod common;

use neuroloop_core::sorn::{Config, Mode, Rule};
use neuroloop_host::sorn::record::{RecordError, RecordSpec, Recorder, Recordings};
use neuroloop_host::sorn::{HostSorn, build, input_rng};

/// The network, its recordings, and per step: x words, (E->E count before, after), dense WEE.
type Run = (HostSorn, Recordings, Vec<Vec<u32>>, Vec<(u32, u32)>, Vec<Vec<f32>>);

/// Runs `steps` recorded steps, keeping the truth to compare the recordings with.
fn recorded(spec: RecordSpec, steps: u64) -> Run {
    let mut net = build(&Config::DEFAULT, 7).unwrap();
    let mut rec = Recordings::new(spec, &net, steps).unwrap();
    let mut inputs = input_rng(7);
    let (mut xs, mut counts, mut wee) = (Vec::new(), Vec::new(), Vec::new());
    let mut u = [0.0f32; 10];
    for _ in 0..steps {
        u.iter_mut().for_each(|v| *v = inputs.uniform_f32());
        let before = net.ee_count();
        let rep = net.step(&u).unwrap();
        rec.record(&net, &rep);
        xs.push(net.x().words().to_vec());
        counts.push((before, net.ee_count()));
        let mut d = vec![0.0f32; 200 * 200];
        net.wee().write_dense(&mut d);
        wee.push(d);
    }
    (net, rec, xs, counts, wee)
}

#[test]
fn rasters_counts_and_samples_hold_what_the_network_did() {
    let mut spec = RecordSpec::parse_list("all").unwrap();
    spec.every = 25;
    let (net, rec, xs, counts, wee) = recorded(spec, 100);
    let ex = rec.excitatory.as_ref().unwrap();
    assert_eq!(ex.steps(), 100);
    for (t, words) in xs.iter().enumerate() {
        assert_eq!(ex.row(t), &words[..]);
    }
    assert_eq!(rec.ee_counts, counts.iter().map(|c| c.1).collect::<Vec<_>>());
    assert_eq!(rec.wee.iter().map(|s| s.step).collect::<Vec<_>>(), [25, 50, 75, 100]);
    // The sample after step 50 is the matrix after step 50.
    let s = &rec.wee[1];
    let mut dense = vec![0.0f32; 200 * 200];
    for &(pre, post, w) in &s.synapses {
        dense[pre as usize * 200 + post as usize] = w;
    }
    assert_eq!(dense, wee[49]);
    assert_eq!(rec.te.last().unwrap().values, net.te());
    assert_eq!(rec.inhibitory.as_ref().unwrap().counts().len(), 100);
}

#[test]
fn counts_before_the_step_lag_by_one_as_in_the_package() {
    let mut spec = RecordSpec::parse_list("EEConnectionCounts").unwrap();
    spec.counts_before_step = true;
    let (_, rec, _, counts, _) = recorded(spec, 50);
    assert_eq!(rec.ee_counts, counts.iter().map(|c| c.0).collect::<Vec<_>>());
    assert_eq!(rec.ee_counts[1..], counts[..49].iter().map(|c| c.1).collect::<Vec<_>>()[..]);
}

#[test]
fn memory_budget_is_checked_before_the_run() {
    let net = build(&Config::DEFAULT, 1).unwrap();
    let mut spec = RecordSpec::parse_list("WEE").unwrap();
    spec.budget_bytes = 10_000_000;
    // 10,000 samples of 4,800 slots x 8 bytes = 384 MB.
    match Recordings::new(spec.clone(), &net, 10_000) {
        Err(RecordError::OverBudget { needed, budget }) => {
            assert!(needed > 380_000_000 && budget == 10_000_000, "{needed}");
        }
        other => panic!("expected over budget, got {:?}", other.map(|_| ())),
    }
    spec.every = 1000;
    assert!(Recordings::new(spec, &net, 10_000).is_ok(), "sampling brings it under the budget");
    assert!(
        matches!(RecordSpec::parse_list("ExcitatoryActivation,WIE"), Err(RecordError::UnknownRecorder(n)) if n == "WIE")
    );
    let zero = RecordSpec { every: 0, ..RecordSpec::parse_list("TE").unwrap() };
    assert!(matches!(Recordings::new(zero, &net, 10), Err(RecordError::ZeroInterval)));
}

#[test]
fn npy_and_csv_exports_read_back() {
    let mut spec = RecordSpec::parse_list("ExcitatoryActivation,WEE,TE,EEConnectionCounts,EIConnectionCounts").unwrap();
    spec.every = 10;
    let (_, rec, xs, counts, wee) = recorded(spec, 40);
    let tmp = common::temp_dir();
    let dir = tmp.path().to_path_buf();
    let files = rec.write_npy(&dir).unwrap();
    assert!(files.iter().all(|f| f.exists()));
    // Raster: u8 (T, N_E).
    let bytes = std::fs::read(dir.join("ExcitatoryActivation.npy")).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    assert_eq!(npy.shape(), &[40, 200]);
    let data: Vec<u8> = npy.into_vec().unwrap();
    for t in 0..40 {
        for i in 0..200 {
            let bit = xs[t][i / 32] >> (i % 32) & 1;
            assert_eq!(u32::from(data[t * 200 + i]), bit);
        }
    }
    // WEE: f32 (k, N_E, N_E), [pre][post], sampled after steps 10, 20, 30, 40.
    let bytes = std::fs::read(dir.join("WEE.npy")).unwrap();
    let npy = npyz::NpyFile::new(&bytes[..]).unwrap();
    assert_eq!(npy.shape(), &[4, 200, 200]);
    let data: Vec<f32> = npy.into_vec().unwrap();
    assert_eq!(&data[3 * 40_000..], &wee[39][..]);
    let steps: Vec<u64> =
        npyz::NpyFile::new(&std::fs::read(dir.join("WEE_steps.npy")).unwrap()[..]).unwrap().into_vec().unwrap();
    assert_eq!(steps, [10, 20, 30, 40]);
    // CSV.
    rec.write_csv(&dir).unwrap();
    let csv = std::fs::read_to_string(dir.join("connection_counts.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "step,ee,ei");
    assert_eq!(lines.len(), 41);
    assert_eq!(lines[40], format!("40,{},{}", counts[39].1, rec.ei_counts[39]));
    let spikes = std::fs::read_to_string(dir.join("spikes_excitatory.csv")).unwrap();
    let total: u32 = xs.iter().flatten().map(|w| w.count_ones()).sum();
    assert_eq!(spikes.lines().count() as u32, total + 1);
    let wee_csv = std::fs::read_to_string(dir.join("WEE.csv")).unwrap();
    assert_eq!(wee_csv.lines().count(), 1 + rec.wee.iter().map(|s| s.synapses.len()).sum::<usize>());
}

#[test]
fn numpy_reads_the_exports() {
    // The README test command installs numpy in a venv and points NEUROLOOP_PYTHON at it.
    let Some(python) = std::env::var_os("NEUROLOOP_PYTHON") else {
        eprintln!("skipped: NEUROLOOP_PYTHON is not set (scripts/test-all.sh sets it to a venv with numpy)");
        return;
    };
    let spec = RecordSpec::parse_list("ExcitatoryActivation,WEE,TE").unwrap();
    let (net, rec, _, _, _) = recorded(spec, 30);
    let tmp = common::temp_dir();
    let dir = tmp.path().to_path_buf();
    rec.write_npy(&dir).unwrap();
    let script = format!(
        "import numpy as np; d={:?}; x=np.load(d+'/ExcitatoryActivation.npy'); w=np.load(d+'/WEE.npy'); \
         t=np.load(d+'/TE.npy'); print(x.shape, x.sum(), w.shape, int((w[-1]>0).sum()), repr(float(t[-1].sum())))",
        dir.to_str().unwrap()
    );
    let out = std::process::Command::new(python).args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let spikes: u32 = rec.excitatory.as_ref().unwrap().counts().iter().sum();
    let te_sum: f64 = net.te().iter().map(|&v| f64::from(v)).sum();
    assert!(text.starts_with(&format!("(30, 200) {spikes} (30, 200, 200) {}", net.ee_count())), "{text}");
    let np_sum: f64 = text.trim().rsplit(' ').next().unwrap().parse().unwrap();
    assert!((np_sum - te_sum).abs() < 1e-3, "{np_sum} vs {te_sum}");
}

#[test]
fn cli_records_into_the_run_directory_and_refuses_over_budget() {
    let tmp = common::temp_dir();
    let base = tmp.path().to_path_buf();
    let a = base.join("a");
    let cli = |args: &[&str]| {
        let (code, _, err) = common::cli(args);
        (code, err)
    };
    let (code, err) = cli(&[
        "sorn",
        "run",
        "--steps",
        "100",
        "--seed",
        "2",
        "--out",
        a.to_str().unwrap(),
        "--record",
        "all",
        "--record-every",
        "20",
    ]);
    assert_eq!(code, 0, "{err}");
    let seg = a.join("recordings/seg-000");
    for r in Recorder::ALL {
        assert!(seg.join(format!("{}.npy", r.name())).exists(), "{}", r.name());
    }
    let (code, err) = cli(&["sorn", "resume", a.to_str().unwrap(), "--steps", "50", "--record", "TE"]);
    assert_eq!(code, 0, "{err}");
    assert!(a.join("recordings/seg-001/TE.npy").exists());
    // Over budget: refused before the directory is touched.
    let b = base.join("b");
    let (code, err) = cli(&[
        "sorn",
        "run",
        "--steps",
        "100000",
        "--seed",
        "2",
        "--out",
        b.to_str().unwrap(),
        "--record",
        "WEE",
        "--record-budget-mb",
        "10",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("budget"), "{err}");
    assert!(!b.exists());
    // Recording needs a directory; unknown names are named.
    let (code, err) = cli(&["sorn", "run", "--steps", "10", "--seed", "2", "--record", "TE"]);
    assert_eq!(code, 1);
    assert!(err.contains("--out"), "{err}");
    let (code, err) = cli(&[
        "sorn",
        "run",
        "--steps",
        "10",
        "--seed",
        "2",
        "--out",
        base.join("c").to_str().unwrap(),
        "--record",
        "Bogus",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("Bogus") && err.contains("ExcitatoryActivation"), "{err}");
}

#[test]
fn training_runs_record_too() {
    let mut net = build(&Config::DEFAULT, 3).unwrap();
    net.set_mode(Mode { freeze: neuroloop_core::sorn::Freeze::NONE.with(Rule::Sp), ..Mode::training(false) });
    let mut rec =
        Recordings::new(RecordSpec::parse_list("InhibitoryActivation,EIConnectionCounts").unwrap(), &net, 20).unwrap();
    for _ in 0..20 {
        let rep = net.step(&[0.9; 10]).unwrap();
        rec.record(&net, &rep);
    }
    assert!(rec.ei_counts.iter().all(|&c| c == net.ei_count()), "frozen: counts constant");
    assert_eq!(rec.inhibitory.unwrap().steps(), 20);
}
