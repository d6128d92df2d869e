//! The core's online RLS readout is ridge regression done one sample at a time: with no
//! forgetting and `P(0) = I / delta`, its weights after any number of updates equal the ridge
//! solution `(X^T X + delta I)^{-1} X^T Y` over the samples seen (computed here in f64 with
//! nalgebra), up to f32 rounding.

use nalgebra::DMatrix;
use neuroloop_core::rls::{Config, Layout, Rls};
use neuroloop_core::rng::NetRng;

fn ridge(xs: &[Vec<f32>], ys: &[Vec<f32>], delta: f64) -> DMatrix<f64> {
    let (f, o) = (xs[0].len(), ys[0].len());
    let x = DMatrix::from_fn(xs.len(), f, |r, c| f64::from(xs[r][c]));
    let y = DMatrix::from_fn(ys.len(), o, |r, c| f64::from(ys[r][c]));
    let a = x.transpose() * &x + DMatrix::identity(f, f) * delta;
    a.cholesky().unwrap().solve(&(x.transpose() * y)) // F x O
}

#[test]
fn rls_weights_equal_the_ridge_solution_at_every_stage() {
    let (f, o, delta) = (12, 3, 0.5);
    let cfg = Config { features: f, outputs: o, delta: delta as f32, forgetting: 1.0 };
    let mut rls = Rls::new(&cfg, vec![0.0f32; Layout::new(&cfg).len]).unwrap();
    let mut rng = NetRng::seed_from_u64(11);
    let truth: Vec<f32> = (0..f * o).map(|_| rng.normal()).collect();
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for n in 1..=300 {
        let x: Vec<f32> = (0..f).map(|j| if j == f - 1 { 1.0 } else { rng.normal() }).collect();
        let y: Vec<f32> =
            (0..o).map(|k| (0..f).map(|j| truth[k * f + j] * x[j]).sum::<f32>() + 0.1 * rng.normal()).collect();
        rls.update(&x, &y).unwrap();
        xs.push(x);
        ys.push(y);
        if [1, 5, 12, 50, 300].contains(&n) {
            let w = ridge(&xs, &ys, delta);
            for k in 0..o {
                for j in 0..f {
                    let (got, want) = (f64::from(rls.weights()[k * f + j]), w[(j, k)]);
                    assert!((got - want).abs() < 1e-3 * (1.0 + want.abs()), "n {n}, w[{k}][{j}] = {got}, ridge {want}");
                }
            }
        }
    }
    // With 300 noisy samples of a linear map, the weights are near the truth.
    let err = rls.weights().iter().zip(&truth).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    assert!(err < 0.05, "max weight error {err}");
}

#[test]
fn binary_features_match_the_dense_ridge_solution() {
    // Spike-like features: ~20 % of 40 units on, plus a bias; as the SORN controller feeds it.
    let (f, delta) = (41, 0.1);
    let cfg = Config { features: f, outputs: 2, delta: delta as f32, forgetting: 1.0 };
    let mut rls = Rls::new(&cfg, vec![0.0f32; Layout::new(&cfg).len]).unwrap();
    let mut rng = NetRng::seed_from_u64(3);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for _ in 0..2000 {
        let ones: Vec<usize> = (0..f - 1).filter(|_| rng.uniform_f32() < 0.2).chain([f - 1]).collect();
        let a = usize::from(ones.iter().filter(|&&i| i < 10).count() > 2);
        let y = if a == 1 { vec![-1.0, 1.0] } else { vec![1.0, -1.0] };
        rls.update_ones(ones.iter().copied(), &y).unwrap();
        let mut x = vec![0.0f32; f];
        ones.iter().for_each(|&i| x[i] = 1.0);
        xs.push(x);
        ys.push(y);
    }
    let w = ridge(&xs, &ys, delta);
    let worst = (0..2)
        .flat_map(|k| (0..f).map(move |j| (k, j)))
        .map(|(k, j)| (f64::from(rls.weights()[k * f + j]) - w[(j, k)]).abs())
        .fold(0.0, f64::max);
    assert!(worst < 2e-3, "largest difference from ridge {worst}");
}
