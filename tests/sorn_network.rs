//! SORN end to end through the public API: invariants after long plastic runs, freezing,
//! determinism, the self-organised regime, training phase and options.

use neuroloop_core::bits::Bits;
use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::{Compat, Config, Freeze, Mode, Phase, Rule};
use neuroloop_host::sorn::{HostSorn, build, input_rng};

/// Runs `steps` steps with the README input (uniform [0, 1) per channel).
fn drive(net: &mut HostSorn, inputs: &mut NetRng, steps: usize, mut each: impl FnMut(&HostSorn)) {
    let mut u = vec![0.0f32; net.config().nu as usize];
    for _ in 0..steps {
        u.iter_mut().for_each(|v| *v = inputs.uniform_f32());
        net.step(&u).unwrap();
        each(net);
    }
}

fn fresh(cfg: &Config, seed: u64) -> (HostSorn, NetRng) {
    (build(cfg, seed).unwrap(), input_rng(seed))
}

/// Every structural and numerical invariant the spec implies.
fn check_invariants(net: &HostSorn) {
    let cfg = net.config();
    let wee = net.wee();
    let wei = net.wei();
    for s in wee.iter() {
        assert!(s.w > 0.0 && s.w <= 1.0, "E->E weight {s:?}");
        assert_ne!(s.pre, s.post, "self-synapse {s:?}");
        assert!((s.pre as u32) < cfg.ne && (s.post as u32) < cfg.ne);
    }
    for s in wei.iter() {
        assert!(s.w > 0.0 && s.w <= 1.0, "I->E weight {s:?}");
        assert!((s.pre as u32) < cfg.ni && (s.post as u32) < cfg.ne);
    }
    // Normalisation: every unit with inputs sums to 1.
    for i in 0..cfg.ne as usize {
        for (name, m) in [("E->E", &wee), ("I->E", &wei)] {
            if m.in_degree(i) > 0 {
                let sum = m.incoming_sum(i);
                assert!((sum - 1.0).abs() < 1e-5, "{name} incoming sum of unit {i} = {sum}");
            }
        }
    }
    // Counts agree between the running counters, the lists and the incoming index.
    assert_eq!(net.ee_count() as usize, wee.len());
    assert_eq!(net.ei_count() as usize, wei.len());
    let in_total: usize = (0..cfg.ne as usize).map(|i| wee.in_degree(i)).sum();
    assert_eq!(in_total, wee.len());
    assert!(wee.len() <= wee.capacity());
    // No duplicate synapse.
    let mut dense = vec![0u8; (cfg.ne * cfg.ne) as usize];
    for s in wee.iter() {
        let k = s.pre as usize * cfg.ne as usize + s.post as usize;
        assert_eq!(dense[k], 0, "duplicate {s:?}");
        dense[k] = 1;
    }
    for &t in net.te() {
        assert!(t >= cfg.te_min && t <= cfg.te_max, "T_E {t}");
    }
    for &t in net.ti() {
        assert!(t >= cfg.ti_min && t <= cfg.ti_max, "T_I {t}");
    }
    // E->I columns sum to 1 and never change sign.
    let (ne, ni) = (cfg.ne as usize, cfg.ni as usize);
    for k in 0..ni {
        let sum: f32 = (0..ne).map(|j| net.wie().weight(j, k)).sum();
        assert!((sum - 1.0).abs() < 1e-4, "E->I column {k} sums to {sum}");
    }
}

#[test]
fn invariants_hold_through_thousands_of_plastic_steps() {
    let (mut net, mut inputs) = fresh(&Config::DEFAULT, 11);
    check_invariants(&net);
    for _ in 0..6 {
        drive(&mut net, &mut inputs, 500, |_| {});
        check_invariants(&net);
    }
    let c = net.counters();
    assert_eq!(c.steps, 3000);
    assert!(c.ee_pruned > 500 && c.sp_created > 100, "{c:?}");
    assert_eq!(net.init_report().refused, 0);
}

#[test]
fn invariants_hold_for_other_sizes() {
    for (ne, nu, seed) in [(50, 5, 1), (137, 3, 2), (400, 10, 3)] {
        let (mut net, mut inputs) = fresh(&Config::with_size(ne, nu), seed);
        drive(&mut net, &mut inputs, 1000, |_| {});
        check_invariants(&net);
    }
}

/// Spike trains of a run as one vector of words per step.
fn spike_train(cfg: &Config, seed: u64, steps: usize) -> Vec<Vec<u32>> {
    let (mut net, mut inputs) = fresh(cfg, seed);
    let mut train = Vec::new();
    drive(&mut net, &mut inputs, steps, |n| {
        let mut v = n.x().words().to_vec();
        v.extend_from_slice(n.y().words());
        train.push(v);
    });
    train
}

#[test]
fn same_seed_same_spikes_other_seed_other_spikes() {
    let a = spike_train(&Config::DEFAULT, 5, 400);
    let b = spike_train(&Config::DEFAULT, 5, 400);
    let c = spike_train(&Config::DEFAULT, 6, 400);
    assert_eq!(a, b);
    assert_ne!(a, c);
    // Not a degenerate (silent) run.
    assert!(a.iter().flatten().map(|w| w.count_ones()).sum::<u32>() > 1000);
}

#[test]
fn reused_buffers_give_the_same_network_as_fresh_ones() {
    // A board builds many networks in one set of static buffers (the firmware's sorn-rls
    // scenario): the old contents must not leak into the new network.
    let a = spike_train(&Config::DEFAULT, 5, 200);
    let (mut used, mut inputs) = fresh(&Config::DEFAULT, 9);
    drive(&mut used, &mut inputs, 300, |_| {});
    let mut net = neuroloop_core::sorn::Sorn::new(&Config::DEFAULT, 5, used.into_buffers()).unwrap();
    let mut inputs = input_rng(5);
    let mut b = Vec::new();
    drive(&mut net, &mut inputs, 200, |n| {
        let mut v = n.x().words().to_vec();
        v.extend_from_slice(n.y().words());
        b.push(v);
    });
    assert_eq!(a, b);
}

/// Every synapse as (pre, post, weight bits).
type WeightBits = Vec<(u16, u16, u32)>;

fn weights(net: &HostSorn) -> (WeightBits, WeightBits) {
    let ee = net.wee().iter().map(|s| (s.pre, s.post, s.w.to_bits())).collect();
    let ei = net.wei().iter().map(|s| (s.pre, s.post, s.w.to_bits())).collect();
    (ee, ei)
}

fn te_bits(net: &HostSorn) -> Vec<u32> {
    net.te().iter().map(|t| t.to_bits()).collect()
}

/// Runs a warmed-up network for 300 more steps in `mode`.
fn after(mode: Mode) -> (HostSorn, HostSorn) {
    let (mut net, mut inputs) = fresh(&Config::DEFAULT, 21);
    drive(&mut net, &mut inputs, 500, |_| {});
    let before = net.clone();
    net.set_mode(mode);
    drive(&mut net, &mut inputs, 300, |_| {});
    (before, net)
}

#[test]
fn each_frozen_rule_leaves_its_quantities_bitwise_unchanged() {
    let freeze =
        |rules: &[Rule]| Mode { freeze: rules.iter().fold(Freeze::NONE, |f, &r| f.with(r)), ..Mode::default() };
    // IP frozen: thresholds untouched, weights still move.
    let (b, a) = after(freeze(&[Rule::Ip]));
    assert_eq!(te_bits(&b), te_bits(&a));
    assert_ne!(weights(&b).0, weights(&a).0);
    // Everything that writes E->E frozen: E->E untouched, I->E still moves.
    let (b, a) = after(freeze(&[Rule::Stdp, Rule::Sp, Rule::Ss]));
    assert_eq!(weights(&b).0, weights(&a).0);
    assert_ne!(weights(&b).1, weights(&a).1);
    // iSTDP and normalisation frozen: I->E untouched.
    let (b, a) = after(freeze(&[Rule::Istdp, Rule::Ss]));
    assert_eq!(weights(&b).1, weights(&a).1);
    // Structural plasticity frozen: nothing is created.
    let (b, a) = after(freeze(&[Rule::Sp]));
    assert_eq!(b.counters().sp_created, a.counters().sp_created);
    assert!(a.ee_count() < b.ee_count(), "pruning goes on");
    // STDP frozen: nothing is pruned, only created.
    let (b, a) = after(freeze(&[Rule::Stdp]));
    assert_eq!(b.counters().ee_pruned, a.counters().ee_pruned);
    assert!(a.ee_count() > b.ee_count());
}

#[test]
fn training_phase_freezes_everything_but_the_dynamics() {
    let (b, a) = after(Mode::training(true));
    assert_eq!(weights(&b), weights(&a));
    assert_eq!(te_bits(&b), te_bits(&a));
    assert_eq!(b.counters().sp_created, a.counters().sp_created);
    assert_ne!(b.x().words(), a.x().words(), "the network still runs");
    // The package's Simulator ignores the phase: plasticity goes on.
    let cfg = Config { compat: Compat { simulator_ignores_phase: true, ..Compat::default() }, ..Config::DEFAULT };
    let (mut net, mut inputs) = fresh(&cfg, 21);
    let before = weights(&net);
    net.set_mode(Mode { phase: Phase::Training, ..Mode::default() });
    drive(&mut net, &mut inputs, 200, |_| {});
    assert_ne!(before, weights(&net));
}

#[test]
fn the_default_network_settles_at_the_target_rate_of_intrinsic_plasticity() {
    // Spec section 7: over 5 seeds x 2,000 steps the package measures an excitatory rate of
    // 0.099..0.103 over the last 500 steps (h_ip = 0.1), 0.163..0.215 inhibitory, mean T_E
    // 0.227..0.255, E->E 3,885..3,916 -> 2,407..2,573 synapses, mean weight 0.078..0.083,
    // I->E ~1,583 -> 1,046..1,166. Bands here are a little wider than the package's spread.
    for seed in [1, 2, 3] {
        let (mut net, mut inputs) = fresh(&Config::DEFAULT, seed);
        let start = net.ee_count();
        let (mut rate_e, mut rate_i, mut t) = (0.0f64, 0.0f64, 0);
        drive(&mut net, &mut inputs, 2000, |n| {
            t += 1;
            if t > 1500 {
                rate_e += f64::from(n.x().count_ones()) / 200.0 / 500.0;
                rate_i += f64::from(n.y().count_ones()) / 40.0 / 500.0;
            }
        });
        let mean_te = net.te().iter().map(|&v| f64::from(v)).sum::<f64>() / 200.0;
        let w = f64::from(net.wee().mean_weight());
        assert!((0.095..=0.106).contains(&rate_e), "seed {seed}: E rate {rate_e}");
        assert!((0.14..=0.24).contains(&rate_i), "seed {seed}: I rate {rate_i}");
        assert!((0.20..=0.28).contains(&mean_te), "seed {seed}: mean T_E {mean_te}");
        assert!((3850..=3950).contains(&start), "seed {seed}: E->E at start {start}");
        assert!((2300..=2700).contains(&net.ee_count()), "seed {seed}: E->E at end {}", net.ee_count());
        assert!((0.074..=0.087).contains(&w), "seed {seed}: mean E->E weight {w}");
        assert!((1000..=1220).contains(&net.ei_count()), "seed {seed}: I->E at end {}", net.ei_count());
    }
}

#[test]
fn the_input_drives_its_units() {
    // Input 1e4 on every channel (the package's "strong input") forces units 0..nu on.
    let (mut net, _) = fresh(&Config::DEFAULT, 4);
    net.step(&[1e4; 10]).unwrap();
    let x: Bits<'_> = net.x();
    assert!((0..10).all(|i| x.get(i)));
    // The recurrent activation ignores the input: those units are off there at the first step
    // (nothing was active before it).
    assert!((0..10).all(|i| !net.r().get(i)));
}

#[test]
fn no_noise_and_no_input_stays_silent() {
    let (mut net, _) = fresh(&Config::DEFAULT, 4);
    net.set_mode(Mode { noise: false, ..Mode::default() });
    for _ in 0..50 {
        net.step(&[0.0; 10]).unwrap();
        assert_eq!(net.x().count_ones() + net.y().count_ones(), 0);
    }
}

#[test]
fn options_beyond_the_package() {
    // Per-unit IP targets.
    let cfg = Config { sigma_ip: 0.02, ..Config::DEFAULT };
    let net = build(&cfg, 3).unwrap();
    let t = net.ip_targets();
    let mean = t.iter().sum::<f32>() / t.len() as f32;
    let sd = (t.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / t.len() as f32).sqrt();
    assert!((mean - 0.1).abs() < 0.006 && (sd - 0.02).abs() < 0.005, "{mean} {sd}");
    // Sparse E->I.
    let cfg = Config { lambda_ie: Some(50.0), ..Config::DEFAULT };
    let net = build(&cfg, 3).unwrap();
    assert!(net.wie().is_sparse());
    let nonzero = net.wie().iter().filter(|s| s.w > 0.0).count() as f64 / 40.0;
    assert!((46.0..=52.0).contains(&nonzero), "mean E->I in-degree {nonzero}");
    check_invariants(&net);
    // Lazar 2009 preset: no noise, dense I->E, runs.
    let (mut net, mut inputs) = fresh(&Config::lazar2009(), 3);
    assert!(net.ei_count() >= 7990, "dense I->E: {}", net.ei_count());
    net.set_mode(Mode { freeze: Freeze::LAZAR2009, ..Mode::default() });
    drive(&mut net, &mut inputs, 300, |_| {});
    assert_eq!(net.counters().sp_created, 0);
    check_invariants(&net);
}

#[test]
fn the_default_network_fits_a_128_kib_board_with_room_to_spare() {
    let l = neuroloop_core::sorn::Layout::new(&Config::DEFAULT);
    assert!(l.bytes() <= 106 * 1024, "{} bytes", l.bytes());
    // The dense alternative (three f32 N x N matrices) would need 200 KB.
    assert!(l.bytes() < (200 * 200 + 2 * 200 * 40) * 4 / 2);
}

#[test]
fn recurrent_activation_with_many_input_channels() {
    // 100 input channels (past the first 64): r is the drive without the input, so strong input
    // on every channel turns x on there while r stays what the recurrent drive alone gives.
    let cfg = Config { ne: 200, ni: 40, nu: 100, h_ip: Some(0.1), ..Config::DEFAULT };
    let mut net = build(&cfg, 3).unwrap();
    net.set_mode(Mode { noise: false, ..Mode::default() });
    net.step(&[1e4; 100]).unwrap();
    assert!((0..100).all(|i| net.x().get(i)));
    assert!((0..100).all(|i| !net.r().get(i)), "nothing was active before: no recurrent drive");
    net.step(&[0.0; 100]).unwrap();
    // With no input, r equals x on every unit.
    assert_eq!(net.r().words(), net.x().words());
}

#[test]
fn the_hosts_capacity_never_refuses_structural_plasticity_where_the_boards_does() {
    // 200,000 plastic steps of seed 1 (~20,000 creation attempts): the board's 4 spare slots per
    // unit refuse creations (the package, with dense matrices, never does); the host's capacity
    // (room for every possible synapse) refuses none.
    let run = |cfg: &Config| {
        let (mut net, mut inputs) = fresh(cfg, 1);
        drive(&mut net, &mut inputs, 200_000, |_| {});
        check_invariants(&net);
        net.counters()
    };
    let board = run(&Config::DEFAULT);
    assert!(board.sp_capacity_refusals > 500, "the board's cap binds: {board:?}");
    let host = run(&neuroloop_host::sorn::sized_for_host(Config::DEFAULT));
    assert_eq!(host.sp_capacity_refusals, 0, "{host:?}");
    assert!(host.sp_created > board.sp_created, "{host:?} {board:?}");
}
