//! Bad configurations, buffers and inputs: each is a typed error naming what is wrong.

use neuroloop_core::sorn::{Buffers, Config, ConfigError, Error, Layout, Sorn, StepError};

fn err(cfg: Config) -> ConfigError {
    cfg.validate().expect_err("should be rejected")
}

#[test]
fn zero_sizes() {
    for (cfg, field) in [
        (Config { ne: 0, ..Config::DEFAULT }, "ne"),
        (Config { ni: 0, ..Config::DEFAULT }, "ni"),
        (Config { nu: 0, ..Config::DEFAULT }, "nu"),
    ] {
        assert_eq!(err(cfg), ConfigError::ZeroSize { field });
    }
}

#[test]
fn more_inhibitory_than_excitatory_units() {
    assert_eq!(err(Config { ni: 201, ..Config::DEFAULT }), ConfigError::TooManyInhibitory { ne: 200, ni: 201 });
}

#[test]
fn more_inputs_than_units_and_pools_too_large_to_index() {
    assert_eq!(err(Config { nu: 201, ..Config::DEFAULT }), ConfigError::TooManyInputs { ne: 200, nu: 201 });
    assert!(matches!(err(Config { ne: 70_000, ..Config::DEFAULT }), ConfigError::TooLarge { field: "ne", .. }));
}

#[test]
fn lambda_larger_than_the_pool() {
    assert_eq!(
        err(Config { lambda_ee: 200.0, ..Config::DEFAULT }),
        ConfigError::LambdaOutOfRange { field: "lambda_ee", value: 200.0, pool: 199 }
    );
    assert!(matches!(
        err(Config { lambda_ei: 201.0, ..Config::DEFAULT }),
        ConfigError::LambdaOutOfRange { field: "lambda_ei", .. }
    ));
    assert!(matches!(
        err(Config { lambda_ie: Some(-1.0), ..Config::DEFAULT }),
        ConfigError::LambdaOutOfRange { field: "lambda_ie", .. }
    ));
}

#[test]
fn negative_learning_rates() {
    for field in ["eta_stdp", "eta_inhib", "eta_ip"] {
        let mut cfg = Config::DEFAULT;
        match field {
            "eta_stdp" => cfg.eta_stdp = -0.1,
            "eta_inhib" => cfg.eta_inhib = -0.1,
            _ => cfg.eta_ip = -0.1,
        }
        assert_eq!(err(cfg), ConfigError::Negative { field, value: -0.1 });
    }
    assert!(matches!(
        err(Config { noise_sd: -1.0, ..Config::DEFAULT }),
        ConfigError::Negative { field: "noise_sd", .. }
    ));
}

#[test]
fn threshold_min_above_max() {
    assert_eq!(
        err(Config { te_min: 0.8, te_max: 0.2, ..Config::DEFAULT }),
        ConfigError::MinAboveMax { min_field: "te_min", max_field: "te_max", min: 0.8, max: 0.2 }
    );
    assert!(matches!(
        err(Config { ti_min: 1.0, ..Config::DEFAULT }),
        ConfigError::MinAboveMax { min_field: "ti_min", .. }
    ));
}

#[test]
fn nan_and_infinite_values() {
    assert_eq!(err(Config { eta_stdp: f32::NAN, ..Config::DEFAULT }), ConfigError::NotFinite { field: "eta_stdp" });
    assert_eq!(err(Config { te_max: f32::INFINITY, ..Config::DEFAULT }), ConfigError::NotFinite { field: "te_max" });
    assert_eq!(
        err(Config { lambda_ie: Some(f32::NAN), ..Config::DEFAULT }),
        ConfigError::NotFinite { field: "lambda_ie" }
    );
}

#[test]
fn probabilities_and_weights_out_of_range() {
    assert!(matches!(err(Config { p_sp: 1.5, ..Config::DEFAULT }), ConfigError::OutOfRange { field: "p_sp", .. }));
    assert!(matches!(err(Config { w_sp: 0.0, ..Config::DEFAULT }), ConfigError::OutOfRange { field: "w_sp", .. }));
    assert!(matches!(err(Config { mu_ip: 0.0, ..Config::DEFAULT }), ConfigError::OutOfRange { field: "mu_ip", .. }));
    assert!(matches!(
        err(Config { h_ip: Some(2.0), ..Config::DEFAULT }),
        ConfigError::OutOfRange { field: "h_ip", .. }
    ));
}

#[test]
fn errors_name_the_field_and_the_range() {
    let text = err(Config { lambda_ee: 500.0, ..Config::DEFAULT }).to_string();
    assert!(text.contains("lambda_ee") && text.contains("[0, 199]"), "{text}");
    let text = err(Config { te_min: 2.0, ..Config::DEFAULT }).to_string();
    assert!(text.contains("te_min") && text.contains("te_max"), "{text}");
}

#[test]
fn short_buffers_are_refused() {
    let l = Layout::new(&Config::DEFAULT);
    let bufs = Buffers::new(vec![0.0f32; l.f32_len - 1], vec![0u16; l.u16_len], vec![0u32; l.u32_len]);
    match Sorn::new(&Config::DEFAULT, 1, bufs) {
        Err(Error::Buffer(e)) => assert_eq!((e.buffer, e.needed, e.got), ("f32", l.f32_len, l.f32_len - 1)),
        other => panic!("expected a buffer error, got {:?}", other.map(|_| ())),
    }
    // Longer buffers are fine.
    let bufs = Buffers::new(vec![0.0f32; l.f32_len + 7], vec![0u16; l.u16_len + 1], vec![0u32; l.u32_len + 3]);
    assert!(Sorn::new(&Config::DEFAULT, 1, bufs).is_ok());
    // An invalid config is reported before the buffers are looked at.
    let bufs = Buffers::new(Vec::<f32>::new(), Vec::<u16>::new(), Vec::<u32>::new());
    assert!(matches!(Sorn::new(&Config { ne: 0, ..Config::DEFAULT }, 1, bufs), Err(Error::Config(_))));
}

#[test]
fn input_of_the_wrong_width_or_not_finite() {
    let mut net = neuroloop_host::sorn::build(&Config::DEFAULT, 1).unwrap();
    assert_eq!(net.step(&[0.5; 9]), Err(StepError::InputWidth { expected: 10, got: 9 }));
    assert_eq!(net.step(&[0.5; 11]), Err(StepError::InputWidth { expected: 10, got: 11 }));
    let mut u = [0.5f32; 10];
    u[3] = f32::NAN;
    assert_eq!(net.step(&u), Err(StepError::InputNotFinite { channel: 3 }));
    u[3] = f32::NEG_INFINITY;
    assert_eq!(net.step(&u), Err(StepError::InputNotFinite { channel: 3 }));
    // A refused step changes nothing.
    assert_eq!(net.counters().steps, 0);
    assert!(net.step(&[0.5; 10]).is_ok());
}

#[test]
fn extreme_but_valid_configs_build_and_run() {
    // Smallest network, lambda at its limits, no plasticity rates, huge capacity margins.
    for cfg in [
        Config { ne: 1, ni: 1, nu: 1, lambda_ee: 0.0, lambda_ei: 1.0, h_ip: Some(0.1), ..Config::DEFAULT },
        Config { ne: 2, ni: 1, nu: 1, lambda_ee: 1.0, lambda_ei: 2.0, ..Config::DEFAULT },
        Config { ne: 20, ni: 4, nu: 2, lambda_ee: 19.0, lambda_ei: 20.0, ee_spare_per_unit: 0, ..Config::DEFAULT },
        Config { eta_stdp: 0.0, eta_ip: 0.0, eta_inhib: 0.0, p_sp: 1.0, ..Config::DEFAULT },
        Config { te_min: 0.3, te_max: 0.3, ti_min: 0.0, ti_max: 0.0, ..Config::DEFAULT },
    ] {
        let mut net = neuroloop_host::sorn::build(&cfg, 9).unwrap();
        let u = vec![0.7f32; cfg.nu as usize];
        for _ in 0..300 {
            net.step(&u).unwrap();
        }
        assert!(net.wee().iter().all(|s| s.w.is_finite() && s.w > 0.0));
        assert!(net.te().iter().all(|t| t.is_finite()));
    }
}
