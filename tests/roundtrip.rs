//! Every number neuroloop writes reads back to the same bits: model files, SORN controller
//! files, run directories (`config.toml`, `run.json`), the CSV of `ctrnn run` and episode
//! recordings. The values are spread over every binade of `f32`/`f64` (subnormals, the
//! extremes, negative zero), where a writer that prints too few digits or a reader that rounds
//! twice would show. And JSON numbers parse to the nearest double (serde_json's
//! `float_roundtrip`), so files written by Python (shortest repr) come in exactly.

mod common;

use common::{cli, cli_line, fixture, temp_dir};
use neuroloop_core::env::EnvId;
use neuroloop_host::control::recording::EpisodeRecord;
use neuroloop_host::control::sorn_controller::SornController;
use neuroloop_host::ctrnn::{LoadOptions, Model};

/// SplitMix64: the test's own stream of bit patterns.
struct Bits(u64);

impl Bits {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A finite f32 from uniform bits (every exponent equally likely).
    fn f32(&mut self) -> f32 {
        loop {
            let x = f32::from_bits(self.next() as u32);
            if x.is_finite() {
                return x;
            }
        }
    }

    fn f64(&mut self) -> f64 {
        loop {
            let x = f64::from_bits(self.next());
            if x.is_finite() {
                return x;
            }
        }
    }
}

const SPECIAL_F32: [f32; 8] = [0.0, -0.0, f32::MIN_POSITIVE, 1e-45, -1e-45, f32::MAX, f32::MIN, 0.1];
const SPECIAL_F64: [f64; 7] = [0.0, -0.0, f64::MIN_POSITIVE, 5e-324, f64::MAX, f64::MIN, 0.1];

fn same_bits_f32(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn json_numbers_parse_to_the_nearest_double() {
    // Shortest representations Python writes for doubles that default (fast) parsing gets
    // 1 ulp wrong; with float_roundtrip they are exact.
    let mut r = Bits(1);
    let values: Vec<f64> = SPECIAL_F64.into_iter().chain((0..200_000).map(|_| r.f64())).collect();
    let text = serde_json::to_string(&values).unwrap();
    let back: Vec<f64> = serde_json::from_str(&text).unwrap();
    assert!(values.iter().zip(&back).all(|(a, b)| a.to_bits() == b.to_bits()));
    // f32 written as the shortest f32 decimal (serde_json writes f32 so) and read as f32.
    let values: Vec<f32> = SPECIAL_F32.into_iter().chain((0..200_000).map(|_| r.f32())).collect();
    let back: Vec<f32> = serde_json::from_str(&serde_json::to_string(&values).unwrap()).unwrap();
    assert!(same_bits_f32(&values, &back));
}

#[test]
fn model_files_read_back_to_the_same_bits() {
    let mut m = Model::load(&fixture("cartpole_controller.json"), LoadOptions::default()).unwrap().model;
    let spans = m.spans();
    let mut r = Bits(2);
    // Every weight and bias a random finite f32 (alpha stays in (0, 1]).
    let alpha = spans.alpha;
    for (i, w) in m.params.iter_mut().enumerate() {
        if !(alpha.start..alpha.end()).contains(&i) {
            *w = r.f32();
        }
    }
    m.params[spans.w_in.start..][..SPECIAL_F32.len()].copy_from_slice(&SPECIAL_F32);
    m.v0.iter_mut().for_each(|v| *v = r.f32());
    let back = Model::from_json(&m.to_json(), LoadOptions::default()).unwrap().model;
    assert!(same_bits_f32(&m.params, &back.params));
    assert!(same_bits_f32(&m.v0, &back.v0));
    assert_eq!(back, m);
}

#[test]
fn sorn_controller_files_read_back_to_the_same_bits() {
    let mut r = Bits(3);
    let config = neuroloop_core::sorn::Config {
        eta_stdp: r.f32().abs(),
        noise_sd: 0.0,
        h_ip: Some(0.1 + f32::EPSILON),
        ..neuroloop_core::presets::reservoir_config(40)
    };
    let ctl = SornController {
        format: "neuroloop-sorn-controller".into(),
        version: 1,
        env: EnvId::CartPole,
        config,
        seed: u64::MAX,
        scales: (0..4).map(|_| r.f32().abs().max(1e-45)).collect(),
        units: Some(48),
        fitted_by: Some("rls".into()),
        readout: (0..2).map(|_| SPECIAL_F32.into_iter().chain((0..41).map(|_| r.f32())).collect()).collect(),
    };
    let back = SornController::from_json(&serde_json::to_string(&ctl).unwrap()).unwrap();
    for (a, b) in ctl.readout.iter().zip(&back.readout) {
        assert!(same_bits_f32(a, b));
    }
    assert!(same_bits_f32(&ctl.scales, &back.scales));
    assert_eq!(back.config.eta_stdp.to_bits(), ctl.config.eta_stdp.to_bits());
    assert_eq!(back.config, ctl.config);
    assert_eq!(back.seed, u64::MAX);
}

#[test]
fn run_directories_read_back_to_the_same_bits() {
    // A run whose config has awkward values; run.json's statistics and config.toml must come
    // back exactly (resume refuses a config.toml that differs from the snapshot's by one bit).
    let tmp = temp_dir();
    let cfg = tmp.path().join("odd.toml");
    std::fs::write(
        &cfg,
        "ne = 40\nni = 8\nnu = 3\nlambda_ee = 5.0\nlambda_ei = 4.0\nh_ip = 0.1000000089406967\n\
         eta_stdp = 0.0012345679\neta_ip = 3.3333333e-4\nnoise_sd = 0.007\nw_sp = 1e-7\n",
    )
    .unwrap();
    let dir = tmp.path().join("run");
    let (code, _, err) =
        cli_line(&format!("sorn run --steps 50 --seed 4 --config {} --out {}", cfg.display(), dir.display()));
    assert_eq!(code, 0, "{err}");
    let (meta, snap) = neuroloop_host::sorn::rundir::read(&dir).unwrap();
    let written = neuroloop_host::sorn::load_config(&cfg).unwrap();
    assert_eq!(*snap.net.config(), written);
    assert_eq!(snap.net.config().eta_stdp.to_bits(), ("0.0012345679".parse::<f64>().unwrap() as f32).to_bits());
    // run.json again: the same metadata, bit for bit.
    let again = neuroloop_host::sorn::rundir::parse_meta(&serde_json::to_string(&meta).unwrap()).unwrap();
    assert_eq!(again, meta);
    let (code, _, err) = cli(&["sorn", "resume", dir.to_str().unwrap(), "--steps", "5"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn the_csv_of_ctrnn_run_reads_back_to_the_outputs_bits() {
    let tmp = temp_dir();
    let model = fixture("cartpole_controller.json");
    let m = Model::load(&model, LoadOptions::default()).unwrap().model;
    let mut r = Bits(5);
    let inputs: Vec<Vec<f32>> =
        (0..40).map(|_| (0..m.dims.inputs).map(|_| r.f32() * 1e-30 + (r.f32() % 3.0)).collect()).collect();
    let text: String =
        inputs.iter().map(|row| row.iter().map(f32::to_string).collect::<Vec<_>>().join(",") + "\n").collect();
    let (u, y) = (tmp.path().join("u.csv"), tmp.path().join("y.csv"));
    std::fs::write(&u, text).unwrap();
    let (code, _, err) =
        cli_line(&format!("ctrnn run --model {} --input {} --output {}", model.display(), u.display(), y.display()));
    assert_eq!(code, 0, "{err}");
    let expected = m.run(&inputs).unwrap();
    let read = neuroloop_host::ctrnn::read_input_csv_file(&y, m.dims.outputs).unwrap();
    assert_eq!(read.len(), expected.len());
    for (a, b) in expected.iter().zip(&read) {
        assert!(same_bits_f32(a, b), "{a:?} != {b:?}");
    }
}

#[test]
fn episode_recordings_read_back_to_the_same_bits() {
    let mut r = Bits(6);
    let rec = EpisodeRecord {
        env: EnvId::Pendulum,
        seed: 1,
        observations: (0..4).map(|_| (0..3).map(|_| r.f32()).collect()).collect(),
        states: (0..4).map(|_| (0..2).map(|_| r.f64()).collect()).collect(),
        actions: (0..3).map(|_| vec![r.f32()]).collect(),
        rewards: SPECIAL_F64[..3].to_vec(),
        terminated: false,
        truncated: true,
    };
    let tmp = temp_dir();
    let path = tmp.path().join("episode.csv");
    rec.write_csv(&path).unwrap();
    let mut rows = csv::Reader::from_path(&path).unwrap();
    for (t, row) in rows.records().enumerate() {
        let row = row.unwrap();
        let f = |k: usize| row[k].parse::<f32>().unwrap().to_bits();
        assert!((0..3).all(|k| f(1 + k) == rec.observations[t][k].to_bits()));
        assert_eq!(f(4), rec.actions[t][0].to_bits());
        assert_eq!(row[5].parse::<f64>().unwrap().to_bits(), rec.rewards[t].to_bits());
    }
}
