//! The package's statistics against hand-computed values (arithmetic in the comments), edge
//! cases and bad input.

use neuroloop_core::sorn::Config;
use neuroloop_host::sorn::Raster;
use neuroloop_host::sorn::statistics::*;

/// A raster from rows of 0/1 strings, unit 0 first: "1010" = units 0 and 2 active.
fn raster(rows: &[&str]) -> Raster {
    let units = rows.first().map_or(0, |r| r.len());
    let mut r = Raster::with_capacity(units, rows.len());
    for row in rows {
        let mut words = vec![0u32; units.div_ceil(32)];
        for (i, c) in row.chars().enumerate() {
            if c == '1' {
                words[i / 32] |= 1 << (i % 32);
            }
        }
        r.push_words(&words);
    }
    r
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn firing_rates() {
    // unit 1 spikes at steps 0, 1, 3 of 5: 3 spikes * bin 10 / 5 steps = 6
    let r = raster(&["01", "11", "00", "01", "00"]);
    assert_eq!(firing_rate_neuron(&r, 1, 10).unwrap(), (5, 10, 6.0));
    assert_eq!(firing_rate_neuron(&r, 0, 1).unwrap(), (5, 1, 0.2));
    assert_eq!(firing_rate_network(&r), [1, 2, 0, 1, 0]);
    assert_eq!(firing_rate_neuron(&r, 2, 1), Err(StatsError::NoSuchUnit { unit: 2, units: 2 }));
    assert_eq!(firing_rate_neuron(&Raster::with_capacity(3, 0), 0, 1), Err(StatsError::Empty));
}

#[test]
fn smoothness() {
    // rates 2, 4, 4, 10: diff 2, 0, 6; mean 8/3; variance ((2-8/3)^2 + (8/3)^2 + (6-8/3)^2) / 3
    //   = (4/9 + 64/9 + 100/9) / 3 = 168/27; std = sqrt(168/27)
    let rates = [2.0, 4.0, 4.0, 10.0];
    let sd = (168.0f64 / 27.0).sqrt();
    assert!(close(scale_dependent_smoothness(&rates).unwrap(), sd));
    assert!(close(scale_independent_smoothness(&rates).unwrap().unwrap(), sd / (8.0 / 3.0)));
    // Constant difference: std 0; a series going nowhere: mean difference 0.
    assert_eq!(scale_dependent_smoothness(&[1.0, 2.0, 3.0]).unwrap(), 0.0);
    assert_eq!(scale_independent_smoothness(&[1.0, 3.0, 1.0]).unwrap(), None);
    assert_eq!(scale_dependent_smoothness(&[1.0]), Err(StatsError::Empty));
}

#[test]
fn autocorrelation() {
    // x = 1, 3, 2, 5, 4 at lag 1: a = 1 3 2 5, b = 3 2 5 4
    // mean a = 2.75, mean b = 3.5; cov = (-1.75*-0.5) + (0.25*-1.5) + (-0.75*1.5) + (2.25*0.5)
    //   = 0.875 - 0.375 - 1.125 + 1.125 = 0.5
    // var a = 3.0625 + 0.0625 + 0.5625 + 5.0625 = 8.75; var b = 0.25 + 2.25 + 2.25 + 0.25 = 5
    // r = 0.5 / sqrt(8.75 * 5)
    let m = autocorr(&[1.0, 3.0, 2.0, 5.0, 4.0], 1).unwrap().unwrap();
    let r = 0.5 / (8.75f64 * 5.0).sqrt();
    assert!(close(m[0][1], r) && close(m[1][0], r) && m[0][0] == 1.0 && m[1][1] == 1.0);
    assert_eq!(autocorr(&[2.0, 2.0, 2.0, 2.0], 2).unwrap(), None, "constant series: no correlation");
    assert_eq!(autocorr(&[1.0, 2.0, 3.0], 2), Err(StatsError::Empty));
}

#[test]
fn average_correlation_uses_n_from_the_data() {
    // unit 0: 1100, unit 1: 1000, unit 2: 0000 (never fires)
    // r01: a = 1 1 0 0 (mean .5), b = 1 0 0 0 (mean .25); cov sum = .5*.75 + .5*-.25 + -.5*-.25 + -.5*-.25
    //   = .375 - .125 + .125 + .125 = .5; var sums: a 1, b .75 -> r = .5 / sqrt(.75)
    let r = raster(&["110", "100", "000", "000"]);
    let (m, avg) = avg_corr_coeff(&r).unwrap();
    let r01 = 0.5 / 0.75f64.sqrt();
    assert!(close(m[1], r01) && close(m[3], r01));
    assert_eq!((m[2], m[5], m[8]), (0.0, 0.0, 1.0), "silent unit: 0 with others, 1 with itself");
    // grand sum: diagonal 3 + 2 r01, over N^2 = 9 (the package would divide by 200^2)
    assert!(close(avg, (3.0 + 2.0 * r01) / 9.0));
}

#[test]
fn spike_times_and_intervals() {
    let train = [0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0];
    assert_eq!(spike_times(&train), [1, 4, 5, 7]);
    assert_eq!(spike_time_intervals(&train), [3, 1, 2]);
    assert!(spike_time_intervals(&[0.0, 1.0, 0.0]).is_empty());
    let r = raster(&["10", "01", "11"]);
    assert_eq!(unit_train(&r, 1).unwrap(), [0.0, 1.0, 1.0]);
}

#[test]
fn hamming() {
    let a = raster(&["1100", "0000", "1111"]);
    let b = raster(&["1010", "0000", "0000"]);
    assert_eq!(hamming_distance(&a, &b).unwrap(), [2, 0, 4]);
    assert_eq!(hamming_distance(&a, &raster(&["110", "000", "111"])), Err(StatsError::ShapeMismatch));
    assert_eq!(hamming_distance(&a, &raster(&["1100"])), Err(StatsError::ShapeMismatch));
}

#[test]
fn fano_factor() {
    // 8 steps in 4 windows of 2: counts 2, 0, 1, 1 -> mean 1, variance (1 + 1 + 0 + 0) / 4 = 0.5
    let r = raster(&["1", "1", "0", "0", "1", "0", "0", "1"]);
    assert_eq!(fanofactor(&r, 0, 4).unwrap(), (1.0, 0.5, Some(0.5)));
    // 3 windows of 2 steps (the last 2 steps dropped): counts 2, 0, 1
    let (m, v, f) = fanofactor(&r, 0, 3).unwrap();
    assert!(close(m, 1.0) && close(v, 2.0 / 3.0) && close(f.unwrap(), 2.0 / 3.0));
    assert_eq!(fanofactor(&raster(&["0", "0"]), 0, 2).unwrap(), (0.0, 0.0, None));
    assert_eq!(fanofactor(&r, 0, 0), Err(StatsError::BadWindows { windows: 0, steps: 8 }));
    assert_eq!(fanofactor(&r, 0, 9), Err(StatsError::BadWindows { windows: 9, steps: 8 }));
}

#[test]
fn spike_source_entropy_values() {
    // 4 units, spikes 2, 1, 1, 0: p = .5, .25, .25 -> sum p ln p = -(.5 ln 2 + .5 ln 4) = -1.5 ln 2;
    // over ln(1/4) = -2 ln 2 -> 0.75
    let r = raster(&["1100", "1010"]);
    assert!(close(spike_source_entropy(&r, 4).unwrap(), 0.75));
    // Equal shares over all units: 1; one unit alone: 0.
    assert!(close(spike_source_entropy(&raster(&["1111"]), 4).unwrap(), 1.0));
    assert_eq!(spike_source_entropy(&raster(&["1000", "1000"]), 4).unwrap(), 0.0);
    assert_eq!(spike_source_entropy(&raster(&["0000"]), 4), Err(StatsError::Empty));
}

#[test]
fn statistics_of_a_real_run_agree_with_the_network() {
    let mut net = neuroloop_host::sorn::build(&Config::DEFAULT, 1).unwrap();
    let mut r = Raster::with_capacity(200, 300);
    let mut active = Vec::new();
    let mut rng = neuroloop_host::sorn::input_rng(1);
    for _ in 0..300 {
        let u: Vec<f32> = (0..10).map(|_| rng.uniform_f32()).collect();
        net.step(&u).unwrap();
        r.push_words(net.x().words());
        active.push(net.x().count_ones() as usize);
    }
    assert_eq!(firing_rate_network(&r), active);
    let total: usize = active.iter().sum();
    let per_unit: f64 = (0..200).map(|i| firing_rate_neuron(&r, i, 1).unwrap().2).sum();
    assert!(close(per_unit * 300.0, total as f64));
    let h = spike_source_entropy(&r, 200).unwrap();
    assert!(h > 0.7 && h <= 1.0, "many units share the spikes: {h}");
}
