//! Rendering of recorded episodes as animated GIFs (plotters), drawn from the plant's state
//! as gymnasium's `render_mode="rgb_array"` draws it: CartPole's cart and pole, Pendulum's rod,
//! MountainCar's hill and car, Acrobot's two links and goal line, and DiffDrive's arena, light,
//! robot and path.

use std::path::Path;

use anyhow::Context;
use neuroloop_core::env::EnvId;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::recording::EpisodeRecord;
use crate::figures::register_fonts;

/// Frame size in pixels.
pub const FRAME: (u32, u32) = (480, 360);

type Chart<'a, 'b> = ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// World rectangle shown for an environment: (x range, y range), 4:3 like the frame.
fn world(env: EnvId) -> ((f64, f64), (f64, f64)) {
    match env {
        EnvId::CartPole => ((-2.8, 2.8), (-1.05, 3.15)),
        EnvId::Pendulum | EnvId::Acrobot => ((-2.4, 2.4), (-2.4 * 0.75, 2.4 * 0.75)),
        EnvId::MountainCar | EnvId::MountainCarContinuous => ((-1.2, 0.6), (0.0, 1.35)),
        EnvId::DiffDrive => ((-4.0 / 3.0, 4.0 / 3.0), (-1.0, 1.0)),
    }
}

/// Writes `ep` as an animated GIF at `path`, one frame every `every` steps (at least 1), 20
/// frames per second of episode time.
pub fn episode_gif(ep: &EpisodeRecord, path: &Path, every: usize) -> anyhow::Result<()> {
    register_fonts();
    let ((x0, x1), (y0, y1)) = world(ep.env);
    let every = every.max(1);
    let delay_ms = (50 * every) as u32;
    let root = BitMapBackend::gif(path, FRAME, delay_ms)
        .with_context(|| format!("cannot write {}", path.display()))?
        .into_drawing_area();
    let mut total = 0.0;
    for (t, state) in ep.states.iter().enumerate() {
        if t > 0 {
            total += ep.rewards[t - 1];
        }
        if t % every != 0 && t + 1 != ep.states.len() {
            continue;
        }
        root.fill(&WHITE)?;
        let title = format!("{}  seed {}  step {t}  return {total:.1}", ep.env, ep.seed);
        let mut chart =
            ChartBuilder::on(&root).caption(title, ("sans-serif", 16)).margin(6).build_cartesian_2d(x0..x1, y0..y1)?;
        draw_state(&mut chart, ep.env, state, &ep.states[..=t])?;
        root.present().with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

fn line(chart: &mut Chart<'_, '_>, pts: Vec<(f64, f64)>, style: ShapeStyle) -> anyhow::Result<()> {
    chart.draw_series(std::iter::once(PathElement::new(pts, style)))?;
    Ok(())
}

fn dot(chart: &mut Chart<'_, '_>, at: (f64, f64), r: i32, style: ShapeStyle) -> anyhow::Result<()> {
    chart.draw_series(std::iter::once(Circle::new(at, r, style)))?;
    Ok(())
}

/// One frame of `env` in state `s`; `path` is the states so far (DiffDrive draws its track).
fn draw_state(chart: &mut Chart<'_, '_>, env: EnvId, s: &[f64], path: &[Vec<f64>]) -> anyhow::Result<()> {
    let ink = BLACK.stroke_width(2);
    let brown = RGBColor(202, 152, 101);
    match env {
        EnvId::CartPole => {
            // track, cart (0.5 x 0.3), pole of length 1 (gymnasium draws 2 x half-length)
            line(chart, vec![(-2.8, 0.0), (2.8, 0.0)], ink)?;
            let (x, th) = (s[0], s[2]);
            chart.draw_series(std::iter::once(Rectangle::new([(x - 0.25, 0.0), (x + 0.25, 0.3)], BLACK.filled())))?;
            let top = (x, 0.3);
            let tip = (x + th.sin(), 0.3 + th.cos());
            line(chart, vec![top, tip], brown.stroke_width(8))?;
            dot(chart, top, 3, RGBColor(129, 132, 203).filled())?;
            for limit in [-2.4, 2.4] {
                line(chart, vec![(limit, -0.1), (limit, 0.1)], RED.stroke_width(2))?;
            }
        }
        EnvId::Pendulum => {
            let th = s[0];
            let tip = (-th.sin(), th.cos());
            line(chart, vec![(0.0, 0.0), tip], RGBColor(204, 77, 77).stroke_width(10))?;
            dot(chart, (0.0, 0.0), 5, BLACK.filled())?;
        }
        EnvId::MountainCar | EnvId::MountainCarContinuous => {
            let h = |x: f64| (3.0 * x).sin() * 0.45 + 0.55;
            line(chart, (0..=180).map(|k| -1.2 + k as f64 * 0.01).map(|x| (x, h(x))).collect(), ink)?;
            let goal = if env == EnvId::MountainCar { 0.5 } else { 0.45 };
            line(chart, vec![(goal, h(goal)), (goal, h(goal) + 0.15)], ink)?;
            chart.draw_series(std::iter::once(Polygon::new(
                vec![(goal, h(goal) + 0.15), (goal, h(goal) + 0.11), (goal + 0.06, h(goal) + 0.13)],
                RGBColor(204, 204, 0).filled(),
            )))?;
            dot(chart, (s[0], h(s[0]) + 0.04), 9, BLACK.filled())?;
        }
        EnvId::Acrobot => {
            let p1 = (s[0].sin(), -s[0].cos());
            let p2 = (p1.0 + (s[0] + s[1]).sin(), p1.1 - (s[0] + s[1]).cos());
            line(chart, vec![(-2.2, 1.0), (2.2, 1.0)], ink)?;
            line(chart, vec![(0.0, 0.0), p1, p2], RGBColor(0, 204, 204).stroke_width(8))?;
            for p in [(0.0, 0.0), p1] {
                dot(chart, p, 5, RGBColor(204, 204, 0).filled())?;
            }
        }
        EnvId::DiffDrive => {
            line(chart, vec![(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0)], ink)?;
            let track: Vec<(f64, f64)> = path.iter().map(|p| (p[0], p[1])).collect();
            line(chart, track, BLUE.mix(0.5).stroke_width(1))?;
            dot(chart, (s[3], s[4]), 8, RGBColor(255, 200, 0).filled())?;
            let (x, y, phi) = (s[0], s[1], s[2]);
            dot(chart, (x, y), 7, BLACK.filled())?;
            line(chart, vec![(x, y), (x + 0.1 * phi.cos(), y + 0.1 * phi.sin())], RED.stroke_width(3))?;
        }
    }
    Ok(())
}
