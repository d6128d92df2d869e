//! Plants: gymnasium fixture parity, spaces and time limits of all five, bad actions.

use neuroloop_core::env::{Acrobot, Action, CartPole, EnvError, MountainCar, MountainCarContinuous, Pendulum, Space};
use neuroloop_host::env::{AnyEnv, IDS, check_env_fixture};

#[test]
fn cartpole_replays_gymnasium_exactly_enough() {
    let r = check_env_fixture(include_str!("fixtures/cartpole_v1.json")).unwrap();
    assert_eq!((r.env.as_str(), r.episodes, r.steps, r.mismatches), ("CartPole-v1", 3, 330, 0));
    assert!(r.max_state_diff < 1e-12 && r.max_obs_diff < 1e-12, "{r:?}");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cartpole_v1.json");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = neuroloop_host::cli::run(["neuroloop", "env", "check", path], &mut out, &mut err);
    assert_eq!(code, 0);
    assert!(String::from_utf8(out).unwrap().lines().last().unwrap().ends_with("ok"));
    // A fixture whose recorded state disagrees fails.
    let mut v: serde_json::Value = serde_json::from_str(include_str!("fixtures/cartpole_v1.json")).unwrap();
    v["episodes"][0]["steps"][3]["state"][2] = serde_json::json!(0.5);
    assert!(!check_env_fixture(&v.to_string()).unwrap().passes());
}

#[test]
fn spaces_and_time_limits() {
    let expect = [
        ("CartPole-v1", 500, 4, Space::Discrete(2)),
        (
            "Pendulum-v1",
            200,
            3,
            Space::Box { dim: 1, low: [-2.0, 0.0, 0.0, 0.0, 0.0, 0.0], high: [2.0, 0.0, 0.0, 0.0, 0.0, 0.0] },
        ),
        ("MountainCar-v0", 200, 2, Space::Discrete(3)),
        (
            "MountainCarContinuous-v0",
            999,
            2,
            Space::Box { dim: 1, low: [-1.0, 0.0, 0.0, 0.0, 0.0, 0.0], high: [1.0, 0.0, 0.0, 0.0, 0.0, 0.0] },
        ),
        ("Acrobot-v1", 500, 6, Space::Discrete(3)),
        (
            "DiffDrive-v0",
            400,
            5,
            Space::Box { dim: 2, low: [-0.2, -0.2, 0.0, 0.0, 0.0, 0.0], high: [0.2, 0.2, 0.0, 0.0, 0.0, 0.0] },
        ),
    ];
    assert_eq!(IDS.len(), expect.len());
    for (id, limit, obs_dim, action) in expect {
        let mut env = AnyEnv::new(id).unwrap();
        assert_eq!(env.time_limit(), limit, "{id}");
        let (obs_space, act_space) = env.spaces();
        assert!(matches!(obs_space, Space::Box { dim, .. } if dim == obs_dim), "{id}");
        assert_eq!(act_space, action, "{id}");
        assert_eq!(env.reset(1).len(), obs_dim);
        // Truncation at exactly the time limit with a "do nothing" policy that never terminates:
        // Pendulum and MountainCar-family never end early this way; the others may terminate.
        let neutral: Vec<f32> = match act_space {
            Space::Box { dim, .. } => vec![0.0; dim],
            Space::Discrete(_) => vec![],
        };
        let mut steps = 0usize;
        loop {
            let a = match act_space {
                Space::Discrete(3) => Action::Discrete(1),
                Space::Discrete(_) => Action::Discrete(steps % 2),
                Space::Box { .. } => Action::Continuous(&neutral),
            };
            let t = env.step(a).unwrap();
            steps += 1;
            if t.terminated || t.truncated {
                assert!(!(t.terminated && t.truncated));
                if t.truncated {
                    assert_eq!(steps, limit as usize, "{id} truncates at its limit");
                }
                break;
            }
            assert!(steps < limit as usize, "{id} ran past its limit");
        }
        assert_eq!(env.step(Action::Discrete(0)).unwrap_err(), EnvError::EpisodeOver);
    }
}

#[test]
fn bad_actions_are_typed_errors() {
    let mut c = CartPole::new();
    c.reset(1);
    assert_eq!(c.step(Action::Discrete(2)), Err(EnvError::ActionOutOfRange { action: 2, n: 2 }));
    assert_eq!(c.step(Action::Continuous(&[1.0])), Err(EnvError::ActionKind));
    let mut p = Pendulum::new();
    p.reset(1);
    assert_eq!(p.step(Action::Continuous(&[f32::NAN])), Err(EnvError::ActionNotFinite));
    assert_eq!(p.step(Action::Continuous(&[f32::INFINITY])), Err(EnvError::ActionNotFinite));
    assert_eq!(p.step(Action::Continuous(&[0.1, 0.2])), Err(EnvError::ActionWidth { expected: 1, got: 2 }));
    assert_eq!(p.step(Action::Discrete(0)), Err(EnvError::ActionKind));
    let mut m = MountainCar::new();
    m.reset(1);
    assert_eq!(m.step(Action::Discrete(3)), Err(EnvError::ActionOutOfRange { action: 3, n: 3 }));
    let mut a = Acrobot::new();
    a.reset(1);
    assert!(a.step(Action::Discrete(7)).is_err());
    // Out-of-range continuous actions are clipped, as gymnasium does (not an error).
    let mut mc = MountainCarContinuous::new();
    mc.reset(1);
    assert!(mc.step(Action::Continuous(&[5.0])).is_ok());
    // Refused steps change nothing.
    let before = c.state();
    let _ = c.step(Action::Discrete(9));
    assert_eq!(c.state(), before);
}

#[test]
fn reset_distributions_are_in_range_and_seeded() {
    let mut c = CartPole::new();
    let mut p = Pendulum::new();
    let mut m = MountainCar::new();
    let mut a = Acrobot::new();
    for seed in 0..200 {
        c.reset(seed);
        assert!(c.state().iter().all(|v| v.abs() <= 0.05));
        p.reset(seed);
        let [th, thd] = p.state();
        assert!(th.abs() <= std::f64::consts::PI && thd.abs() <= 1.0);
        m.reset(seed);
        assert!((-0.6..=-0.4).contains(&m.state()[0]) && m.state()[1] == 0.0);
        a.reset(seed);
        assert!(a.state().iter().all(|v| v.abs() <= 0.1 && *v == (*v as f32) as f64));
    }
    assert_eq!(CartPole::new().reset(5), CartPole::new().reset(5));
    assert_ne!(CartPole::new().reset(5), CartPole::new().reset(6));
}

#[test]
fn pendulum_and_mountain_car_physics_by_hand() {
    // Pendulum from rest at theta = 0 with torque 2: theta_dot = (15 sin 0 + 3 * 2) * 0.05 = 0.3
    let mut p = Pendulum::new();
    p.set_state([0.0, 0.0]);
    let t = p.step(Action::Continuous(&[2.0])).unwrap();
    assert!((p.state()[1] - 0.3).abs() < 1e-7 && (p.state()[0] - 0.015).abs() < 1e-8);
    // cost = 0 + 0 + 0.001 * 4 (float32)
    assert!((t.reward + 0.004).abs() < 1e-9, "{}", t.reward);
    // MountainCar: velocity += (2 - 1) * 0.001 - 0.0025 cos(3 * -0.5)
    let mut m = MountainCar::new();
    m.set_state([-0.5, 0.0]);
    m.step(Action::Discrete(2)).unwrap();
    let v = 0.001 + (3.0f64 * -0.5).cos() * -0.0025;
    assert!((m.state()[1] - v).abs() < 1e-15 && (m.state()[0] - (-0.5 + v)).abs() < 1e-15);
}

#[test]
fn diff_drive_kinematics_sensors_and_goal() {
    use neuroloop_core::env::{DiffDrive, braitenberg};
    let mut env = DiffDrive::new();
    // Straight ahead at 0.2 m/s (as f32) for one 0.05 s step: 1 cm along the heading.
    env.set_state([0.0, 0.0, 0.0], [0.5, 0.0]);
    let t = env.step(Action::Continuous(&[0.2, 0.2])).unwrap();
    let [x, y, phi] = env.pose();
    assert!((x - 0.01).abs() < 1e-9 && y == 0.0 && phi == 0.0, "{x}");
    // Reward: the distance gained (1 cm) times 10, minus 0.01.
    assert!((t.reward - (0.01 * 10.0 - 0.01)).abs() < 1e-8);
    // Turning in place: omega = 0.4 / 0.1 = 4 rad/s, 0.2 rad per step; the position stays.
    env.set_state([0.0, 0.0, 0.0], [0.5, 0.0]);
    env.step(Action::Continuous(&[-0.2, 0.2])).unwrap();
    let [x, y, phi] = env.pose();
    assert!(x.abs() < 1e-15 && y.abs() < 1e-15 && (phi - 0.2).abs() < 1e-8, "{x} {y} {phi}");
    assert!((env.observation()[4] - 1.0).abs() < 1e-6, "proprioception: omega / 4");
    // Light straight ahead: both light sensors see it at 45 degrees, equally.
    env.set_state([0.0, 0.0, 0.0], [0.5, 0.0]);
    let o = env.observation();
    let expected = (std::f64::consts::FRAC_PI_4.cos() / (1.0 + 0.25)) as f32;
    assert!((o[0] - expected).abs() < 1e-6 && (o[1] - expected).abs() < 1e-6);
    // Wall sensors: facing +x from x = 0.9, the left ray (45 degrees) meets the wall x = 1 after
    // 0.1 / cos 45 = 0.1414 m.
    env.set_state([0.9, 0.0, 0.0], [0.0, 0.5]);
    let o = env.observation();
    assert!((o[2] - (-(0.1 / std::f64::consts::FRAC_PI_4.cos()) / 0.1).exp() as f32).abs() < 1e-6);
    // Driving into the wall: clamped, counted, penalised.
    env.set_state([0.995, 0.0, 0.0], [0.0, 0.5]);
    let t = env.step(Action::Continuous(&[0.2, 0.2])).unwrap();
    assert_eq!(env.pose()[0], 1.0);
    assert_eq!(env.collisions(), 1);
    assert!(t.reward < -0.1);
    // The goal: within 0.1 m terminates with +10.
    env.set_state([0.0, 0.0, 0.0], [0.105, 0.0]);
    let t = env.step(Action::Continuous(&[0.2, 0.2])).unwrap();
    assert!(t.terminated && t.reward > 10.0);
    // Resets keep the light at least 0.6 m away; the Braitenberg baseline reaches it.
    let mut reached = 0;
    for seed in 0..50 {
        let mut obs = env.reset(seed);
        assert!(env.distance() >= 0.6);
        loop {
            let t = env.step(Action::Continuous(&braitenberg(&obs))).unwrap();
            if t.terminated || t.truncated {
                reached += usize::from(t.terminated);
                break;
            }
            obs = env.observation();
        }
    }
    assert!(reached >= 45, "Braitenberg reached the light in {reached}/50");
    // Bad actions (on a running episode); stepping an ended one.
    assert_eq!(env.step(Action::Continuous(&[0.1])), Err(EnvError::EpisodeOver));
    env.reset(1);
    assert_eq!(env.step(Action::Continuous(&[0.1])), Err(EnvError::ActionWidth { expected: 2, got: 1 }));
    assert_eq!(env.step(Action::Continuous(&[0.1, f32::NAN])), Err(EnvError::ActionNotFinite));
}
