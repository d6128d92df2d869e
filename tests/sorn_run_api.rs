//! The library's run API (the package's `Simulator.run` / `Trainer.run`): input matrices,
//! continuing runs, training runs.

use neuroloop_core::sorn::{Config, Mode};
use neuroloop_host::sorn::record::RecordSpec;
use neuroloop_host::sorn::{Inputs, RunSpec, build, input_rng, run_with_random_input, simulate};

#[test]
fn matrix_column_t_feeds_step_t() {
    let mut net = build(&Config::DEFAULT, 2).unwrap();
    // 10 channels x 4 steps: channel 3 strong at step 2 only, nothing else, no noise.
    let steps = 4;
    let mut m = vec![0.0f32; 10 * steps];
    m[3 * steps + 2] = 1e4;
    let spec = RunSpec {
        steps: steps as u64,
        mode: Mode { noise: false, ..Mode::default() },
        record: Some(RecordSpec::parse_list("ExcitatoryActivation").unwrap()),
    };
    let rec = simulate(&mut net, &spec, Inputs::Matrix(&m)).unwrap();
    let x = rec.excitatory.unwrap();
    assert!(!x.get(1, 3) && x.get(2, 3), "unit 3 fires exactly at the step its input arrives");
    assert_eq!(x.counts()[..2], [0, 0], "silent before the input");
}

#[test]
fn uniform_input_matches_the_cli_run_and_runs_continue() {
    let mut a = build(&Config::DEFAULT, 6).unwrap();
    run_with_random_input(&mut a, Mode::default(), 6, 300).unwrap();
    let mut b = build(&Config::DEFAULT, 6).unwrap();
    let mut rng = input_rng(6);
    let spec = RunSpec { steps: 100, ..RunSpec::default() };
    for _ in 0..3 {
        simulate(&mut b, &spec, Inputs::Uniform(&mut rng)).unwrap();
    }
    assert!(a.buffers() == b.buffers(), "three runs of 100 continue exactly like one of 300");
    assert_eq!(a.scalars(), b.scalars());
}

#[test]
fn training_run_freezes_the_network() {
    let mut net = build(&Config::DEFAULT, 6).unwrap();
    let mut rng = input_rng(6);
    simulate(&mut net, &RunSpec { steps: 200, ..RunSpec::default() }, Inputs::Uniform(&mut rng)).unwrap();
    let weights = net.buffers().f32s[..net.layout().ee_capacity].to_vec();
    let spec = RunSpec {
        steps: 1,
        mode: Mode::training(false),
        record: Some(RecordSpec::parse_list("InhibitoryActivation").unwrap()),
    };
    // The README's training example: one step with a (nu x 1) input.
    let rec = simulate(&mut net, &spec, Inputs::Matrix(&[0.5; 10])).unwrap();
    assert_eq!(rec.inhibitory.unwrap().steps(), 1);
    assert_eq!(&net.buffers().f32s[..net.layout().ee_capacity], &weights[..]);
}

#[test]
fn bad_inputs_are_errors() {
    let mut net = build(&Config::DEFAULT, 1).unwrap();
    let spec = RunSpec { steps: 5, ..RunSpec::default() };
    let err = simulate(&mut net, &spec, Inputs::Matrix(&[0.5; 49])).unwrap_err().to_string();
    assert!(err.contains("49") && err.contains("50"), "{err}");
    let mut m = vec![0.5f32; 50];
    m[2 * 5 + 3] = f32::NAN;
    let err = format!("{:#}", simulate(&mut net, &spec, Inputs::Matrix(&m)).unwrap_err());
    assert!(err.contains("step 3") && err.contains("channel 2"), "{err}");
    assert_eq!(net.counters().steps, 3, "the steps before the bad one ran");
}
