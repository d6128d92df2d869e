//! Figures (plotters, PNG or SVG by file extension) of the package's `Plotter` list: spike
//! rasters, histograms with a fitted density, time series and a correlation heat map.
//!
//! Text is drawn with DejaVu Sans, compiled into the binary (the `dejavu` crate), so figures
//! render the same on a machine without system fonts.

use std::path::Path;
use std::sync::Once;

use anyhow::{Context, bail};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A density fitted to a histogram and drawn over it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fit {
    /// Log-normal with the mean and standard deviation of `ln x`.
    LogNormal {
        /// Mean of `ln x`.
        mu: f64,
        /// Standard deviation of `ln x`.
        sigma: f64,
    },
    /// Exponential with this rate (1 / mean).
    Exponential {
        /// Rate.
        rate: f64,
    },
    /// Normal.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
    },
}

impl Fit {
    /// Maximum-likelihood log-normal fit of positive values (`None` for fewer than two).
    ///
    /// ```
    /// use neuroloop_host::figures::Fit;
    /// let e = std::f64::consts::E;
    /// assert_eq!(Fit::lognormal(&[1.0, e * e]), Some(Fit::LogNormal { mu: 1.0, sigma: 1.0 }));
    /// ```
    pub fn lognormal(xs: &[f64]) -> Option<Fit> {
        let logs: Vec<f64> = xs.iter().filter(|&&x| x > 0.0).map(|x| x.ln()).collect();
        let (mu, sigma) = mean_sd(&logs)?;
        Some(Fit::LogNormal { mu, sigma })
    }

    /// Maximum-likelihood exponential fit (`None` when empty or the mean is 0).
    ///
    /// ```
    /// use neuroloop_host::figures::Fit;
    /// assert_eq!(Fit::exponential(&[1.0, 3.0]), Some(Fit::Exponential { rate: 0.5 }));
    /// ```
    pub fn exponential(xs: &[f64]) -> Option<Fit> {
        let (m, _) = mean_sd(xs).or_else(|| xs.first().map(|&x| (x, 0.0)))?;
        (m > 0.0).then(|| Fit::Exponential { rate: 1.0 / m })
    }

    /// Normal fit (`None` for fewer than two values).
    pub fn normal(xs: &[f64]) -> Option<Fit> {
        let (mean, sd) = mean_sd(xs)?;
        Some(Fit::Normal { mean, sd })
    }

    /// The density at `x`.
    pub fn pdf(&self, x: f64) -> f64 {
        use std::f64::consts::PI;
        match *self {
            Fit::LogNormal { mu, sigma } if x > 0.0 && sigma > 0.0 => {
                (-(x.ln() - mu).powi(2) / (2.0 * sigma * sigma)).exp() / (x * sigma * (2.0 * PI).sqrt())
            }
            Fit::Exponential { rate } if x >= 0.0 => rate * (-rate * x).exp(),
            Fit::Normal { mean, sd } if sd > 0.0 => {
                (-(x - mean).powi(2) / (2.0 * sd * sd)).exp() / (sd * (2.0 * PI).sqrt())
            }
            _ => 0.0,
        }
    }

    /// A short label for the legend.
    pub fn label(&self) -> String {
        match *self {
            Fit::LogNormal { mu, sigma } => format!("log-normal fit (mu {mu:.3}, sigma {sigma:.3})"),
            Fit::Exponential { rate } => format!("exponential fit (rate {rate:.4})"),
            Fit::Normal { mean, sd } => format!("normal fit (mean {mean:.2}, sd {sd:.2})"),
        }
    }
}

/// Mean and population standard deviation (`None` for fewer than two values).
fn mean_sd(xs: &[f64]) -> Option<(f64, f64)> {
    if xs.len() < 2 {
        return None;
    }
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n;
    Some((m, v.sqrt()))
}

pub(crate) fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
    });
}

const SIZE: (u32, u32) = (900, 600);

/// Draws with `draw` onto a PNG or SVG file chosen by `path`'s extension.
fn render(
    path: &Path,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> anyhow::Result<()>,
    draw_png: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    render_sized(path, SIZE, draw, draw_png)
}

/// [`render`] at another size.
fn render_sized(
    path: &Path,
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> anyhow::Result<()>,
    draw_png: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    register_fonts();
    match path.extension().and_then(|e| e.to_str()) {
        Some("svg") => {
            let area = SVGBackend::new(path, size).into_drawing_area();
            area.fill(&WHITE)?;
            draw(&area)?;
            area.present().with_context(|| format!("writing {}", path.display()))?;
        }
        Some("png") => {
            let area = BitMapBackend::new(path, size).into_drawing_area();
            area.fill(&WHITE)?;
            draw_png(&area)?;
            area.present().with_context(|| format!("writing {}", path.display()))?;
        }
        _ => bail!("{}: figures are .png or .svg", path.display()),
    }
    Ok(())
}

/// A chart with the house style: the title on top, room for the axis labels (`y_labels`
/// pixels on the left).
fn chart<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &'b str,
    y_labels: u32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut c = ChartBuilder::on(area);
    c.caption(title, ("sans-serif", 22)).margin(15).x_label_area_size(40).y_label_area_size(y_labels);
    c
}

/// Runs the same drawing code on either backend.
macro_rules! figure {
    ($path:expr, |$area:ident| $body:block) => {
        render($path, |$area| $body, |$area| $body)
    };
}

/// Spike raster (unit against step) above the population rate.
///
/// `spikes(t)` lists the units active at step `first_step + t`.
pub fn raster(
    path: &Path,
    title: &str,
    first_step: u64,
    steps: usize,
    units: usize,
    spikes: &dyn Fn(usize) -> Vec<usize>,
) -> anyhow::Result<()> {
    let x0 = first_step as f64;
    let x1 = (first_step + steps.max(1) as u64) as f64;
    let rate: Vec<(f64, f64)> =
        (0..steps).map(|t| (x0 + t as f64, spikes(t).len() as f64 / units.max(1) as f64)).collect();
    let max_rate = rate.iter().map(|p| p.1).fold(0.0, f64::max).max(0.01);
    figure!(path, |area| {
        let (top, bottom) = area.split_vertically(SIZE.1 * 2 / 3);
        let mut c = ChartBuilder::on(&top)
            .caption(title, ("sans-serif", 22))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(x0..x1, 0f64..units as f64)?;
        c.configure_mesh().y_desc("unit").disable_mesh().draw()?;
        c.draw_series((0..steps).flat_map(|t| {
            spikes(t).into_iter().map(move |i| {
                Rectangle::new([(x0 + t as f64, i as f64), (x0 + t as f64 + 0.9, i as f64 + 0.9)], BLACK.filled())
            })
        }))?;
        let mut r = ChartBuilder::on(&bottom)
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(50)
            .build_cartesian_2d(x0..x1, 0f64..max_rate * 1.05)?;
        r.configure_mesh().x_desc("step").y_desc("fraction active").draw()?;
        r.draw_series(LineSeries::new(rate.iter().copied(), &BLUE))?;
        Ok(())
    })
}

/// Histogram of `values` in `bins` equal bins, as a density, with an optional fitted density.
pub fn histogram(
    path: &Path,
    title: &str,
    x_label: &str,
    values: &[f64],
    bins: usize,
    fit: Option<Fit>,
) -> anyhow::Result<()> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let (lo, hi) = finite.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    let (lo, hi) = if finite.is_empty() {
        (0.0, 1.0)
    } else if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    };
    let bins = bins.max(1);
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &v in &finite {
        let k = (((v - lo) / width) as usize).min(bins - 1);
        counts[k] += 1;
    }
    let n = finite.len().max(1) as f64;
    let density: Vec<f64> = counts.iter().map(|&c| c as f64 / (n * width)).collect();
    let curve: Vec<(f64, f64)> = fit
        .map_or(Vec::new(), |f| (0..=200).map(|k| lo + (hi - lo) * k as f64 / 200.0).map(|x| (x, f.pdf(x))).collect());
    let top = density.iter().copied().chain(curve.iter().map(|p| p.1)).fold(0.0, f64::max).max(1e-9) * 1.1;
    figure!(path, |area| {
        let mut c = chart(area, title, 60).build_cartesian_2d(lo..hi, 0f64..top)?;
        c.configure_mesh().x_desc(x_label).y_desc("density").draw()?;
        c.draw_series(density.iter().enumerate().map(|(k, &d)| {
            let x = lo + k as f64 * width;
            Rectangle::new([(x, 0.0), (x + width, d)], BLUE.mix(0.5).filled())
        }))?
        .label(format!("{} values", finite.len()))
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 15, y + 5)], BLUE.mix(0.5).filled()));
        if let Some(f) = fit {
            c.draw_series(LineSeries::new(curve.iter().copied(), RED.stroke_width(2)))?
                .label(f.label())
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], RED));
        }
        c.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
        Ok(())
    })
}

/// A curve drawn over a [`Panel`]'s histogram.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// Legend label.
    pub label: String,
    /// `(x, density)` in increasing x.
    pub points: Vec<(f64, f64)>,
    /// Dashed rather than solid.
    pub dashed: bool,
}

/// One histogram of [`histogram_panels`].
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// Title above the panel.
    pub title: String,
    /// Label of the x axis.
    pub x_label: String,
    /// The values (non-finite ones are skipped).
    pub values: Vec<f64>,
    /// Equal bins over `range`.
    pub bins: usize,
    /// The x range; values outside it go into the first or last bin. `None`: the values' range.
    pub range: Option<(f64, f64)>,
    /// Curves drawn over the histogram, in order (colours red, black, green, magenta, blue).
    pub curves: Vec<Curve>,
    /// A vertical dashed line at `x` with a legend label.
    pub marker: Option<(f64, String)>,
}

/// Histograms (as densities over all their values) with curves, `cols` panels a row.
pub fn histogram_panels(path: &Path, panels: &[Panel], cols: usize) -> anyhow::Result<()> {
    if panels.is_empty() {
        bail!("{}: no panels to draw", path.display());
    }
    let cols = cols.clamp(1, panels.len());
    let rows = panels.len().div_ceil(cols);
    let size = (560 * cols as u32, 420 * rows as u32);
    let draw = |area: &DrawingArea<SVGBackend<'_>, Shift>| -> anyhow::Result<()> {
        for (a, p) in area.split_evenly((rows, cols)).iter().zip(panels) {
            draw_panel(a, p)?;
        }
        Ok(())
    };
    let draw_png = |area: &DrawingArea<BitMapBackend<'_>, Shift>| -> anyhow::Result<()> {
        for (a, p) in area.split_evenly((rows, cols)).iter().zip(panels) {
            draw_panel(a, p)?;
        }
        Ok(())
    };
    render_sized(path, size, draw, draw_png)
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &Panel) -> anyhow::Result<()>
where
    DB::ErrorType: 'static,
{
    let finite: Vec<f64> = p.values.iter().copied().filter(|v| v.is_finite()).collect();
    let (lo, hi) = match p.range {
        Some((lo, hi)) if hi > lo && lo.is_finite() && hi.is_finite() => (lo, hi),
        _ => {
            let (lo, hi) = finite.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
            widen(lo, hi)
        }
    };
    let bins = p.bins.max(1);
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &v in &finite {
        let k = ((v - lo) / width).floor().clamp(0.0, (bins - 1) as f64) as usize;
        counts[k] += 1;
    }
    let n = finite.len().max(1) as f64;
    let density: Vec<f64> = counts.iter().map(|&c| c as f64 / (n * width)).collect();
    let top = density
        .iter()
        .copied()
        .chain(p.curves.iter().flat_map(|c| c.points.iter().map(|q| q.1)))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.7; // room for the legend above the histogram
    let mut c = ChartBuilder::on(area)
        .caption(p.title.as_str(), ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(45)
        .build_cartesian_2d(lo..hi, 0f64..top)?;
    // No fine grid: it would double the PNG's size for nothing the curves need.
    c.configure_mesh().light_line_style(WHITE).x_desc(p.x_label.as_str()).y_desc("density").draw()?;
    c.draw_series(density.iter().enumerate().map(|(k, &d)| {
        let x = lo + k as f64 * width;
        Rectangle::new([(x, 0.0), (x + width, d)], BLUE.mix(0.35).filled())
    }))?
    .label(format!("{} values", finite.len()))
    .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 15, y + 5)], BLUE.mix(0.35).filled()));
    let colors = [RED, BLACK, GREEN, MAGENTA, BLUE];
    for (k, curve) in p.curves.iter().enumerate() {
        let color = colors[k % colors.len()];
        let pts = curve.points.iter().copied().filter(|q| q.0 >= lo && q.0 <= hi && q.1.is_finite());
        if curve.dashed {
            c.draw_series(DashedLineSeries::new(pts, 6, 4, color.stroke_width(2)))?
        } else {
            c.draw_series(LineSeries::new(pts, color.stroke_width(2)))?
        }
        .label(curve.label.as_str())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], color.stroke_width(2)));
    }
    if let Some((x, label)) = &p.marker {
        let grey = RGBColor(110, 110, 110);
        c.draw_series(DashedLineSeries::new([(*x, 0.0), (*x, top)], 4, 4, grey.stroke_width(1)))?
            .label(label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], grey));
    }
    c.configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 12))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// `lo..hi`, or one unit either side of a single value, or 0..1 for no value.
fn widen(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        (lo, hi)
    } else if hi.is_finite() {
        (lo - 1.0, hi + 1.0)
    } else {
        (0.0, 1.0)
    }
}

/// The axes' ranges `(x0, x1, y0, y1)` for points `(x, y_low, y_high)`; a flat or empty range
/// is widened so plotters always gets a non-empty one.
fn extent(points: impl Iterator<Item = (f64, f64, f64)>) -> (f64, f64, f64, f64) {
    let (x0, x1, y0, y1) = points
        .fold((f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY), |(a, b, c, d), p| {
            (a.min(p.0), b.max(p.0), c.min(p.1), d.max(p.2))
        });
    let (x0, x1) = widen(x0, x1);
    let (y0, y1) = widen(y0, y1);
    (x0, x1, y0, y1)
}

/// Line plot of one or more named series.
pub fn series(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    lines: &[(&str, Vec<(f64, f64)>)],
) -> anyhow::Result<()> {
    let (x0, x1, y0, y1) = extent(lines.iter().flat_map(|l| l.1.iter()).map(|p| (p.0, p.1, p.1)));
    let colors = [BLUE, RED, GREEN, MAGENTA, CYAN];
    figure!(path, |area| {
        let pad = (y1 - y0) * 0.05;
        let mut c = chart(area, title, 70).build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad))?;
        c.configure_mesh().x_desc(x_label).y_desc(y_label).draw()?;
        for (k, (name, pts)) in lines.iter().enumerate() {
            let color = colors[k % colors.len()];
            // Thick lines overshoot on steep, dense series in the bitmap backend: 1 px there.
            let width = if pts.len() > 300 { 1 } else { 2 };
            c.draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(width)))?
                .label(*name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], color));
        }
        c.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
        Ok(())
    })
}

/// One line of [`bands`]: points `(x, mean, low, high)`; the band between low and high is shaded.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// Legend label.
    pub name: String,
    /// `(x, mean, low, high)` in increasing x.
    pub points: Vec<(f64, f64, f64, f64)>,
    /// A dashed reference line (no band).
    pub dashed: bool,
}

/// Means as lines with markers over shaded spreads (for results over seeds).
pub fn bands(path: &Path, title: &str, x_label: &str, y_label: &str, lines: &[Band]) -> anyhow::Result<()> {
    let (x0, x1, y0, y1) = extent(
        lines
            .iter()
            .flat_map(|l| l.points.iter())
            .filter(|p| p.2.is_finite() && p.3.is_finite())
            .map(|p| (p.0, p.2, p.3)),
    );
    let colors = [RED, BLUE, GREEN, MAGENTA, CYAN];
    figure!(path, |area| {
        let pad = (y1 - y0) * 0.05;
        let xpad = (x1 - x0) * 0.03;
        let mut c = chart(area, title, 70).build_cartesian_2d((x0 - xpad)..(x1 + xpad), (y0 - pad)..(y1 + pad))?;
        c.configure_mesh().x_desc(x_label).y_desc(y_label).draw()?;
        for (k, line) in lines.iter().enumerate() {
            if line.dashed {
                let grey = RGBColor(110, 110, 110);
                c.draw_series(DashedLineSeries::new(
                    line.points.iter().map(|p| (p.0, p.1)),
                    6,
                    4,
                    grey.stroke_width(2),
                ))?
                .label(line.name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], grey));
                continue;
            }
            let color = colors[k % colors.len()];
            let mut outline: Vec<(f64, f64)> = line.points.iter().map(|p| (p.0, p.3)).collect();
            outline.extend(line.points.iter().rev().map(|p| (p.0, p.2)));
            c.draw_series(std::iter::once(Polygon::new(outline, color.mix(0.15).filled())))?;
            c.draw_series(LineSeries::new(line.points.iter().map(|p| (p.0, p.1)), color.stroke_width(2)))?
                .label(line.name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], color));
            c.draw_series(line.points.iter().map(|p| Circle::new((p.0, p.1), 4, color.filled())))?;
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        Ok(())
    })
}

/// Heat map of the lower triangle of an `n x n` matrix with values in [-1, 1].
pub fn correlation(path: &Path, title: &str, matrix: &[f64], n: usize) -> anyhow::Result<()> {
    if matrix.len() != n * n {
        bail!("correlation matrix has {} values, expected {n} x {n}", matrix.len());
    }
    figure!(path, |area| {
        let mut c = chart(area, title, 50).build_cartesian_2d(0f64..n as f64, 0f64..n as f64)?;
        c.configure_mesh().x_desc("unit").y_desc("unit").disable_mesh().draw()?;
        c.draw_series((0..n).flat_map(|i| (0..i).map(move |j| (i, j))).map(|(i, j)| {
            let v = matrix[i * n + j].clamp(-1.0, 1.0);
            // Blue (-1) through white (0) to red (+1).
            let (r, g, b) = if v >= 0.0 {
                (255.0, 255.0 * (1.0 - v), 255.0 * (1.0 - v))
            } else {
                (255.0 * (1.0 + v), 255.0 * (1.0 + v), 255.0)
            };
            Rectangle::new(
                [(j as f64, (n - 1 - i) as f64), (j as f64 + 1.0, (n - i) as f64)],
                RGBColor(r as u8, g as u8, b as u8).filled(),
            )
        }))?;
        Ok(())
    })
}
