//! `neuroloop pil`: the plant on this PC, the controller on a board (QEMU, or a real board on a
//! serial port), through the one episode loop.

use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use neuroloop_core::digest::Fnv1a;
use neuroloop_core::presets::ONLINE_READOUT;

use super::EnvArg;
use crate::control::Controller;
use crate::control::sorn_controller::RlsOptions;
use crate::ctrnn::{LoadOptions, Model};
use crate::pil::run::{learn_rls, run_episodes};
use crate::pil::{Client, Link, Qemu, QemuBoard, SerialLink};

/// Where the policy runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoardArg {
    /// A QEMU machine started (and stopped) by neuroloop.
    Qemu(QemuBoard),
    /// A real board on a serial port.
    Serial(String),
}

impl FromStr for BoardArg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "qemu-m4f" => Ok(BoardArg::Qemu(QemuBoard::M4f)),
            "qemu-m3" => Ok(BoardArg::Qemu(QemuBoard::M3)),
            _ => match s.strip_prefix("serial:") {
                Some(path) if !path.is_empty() => Ok(BoardArg::Serial(path.to_string())),
                _ => Err(format!("{s:?}: boards are qemu-m4f, qemu-m3 and serial:PATH (e.g. serial:/dev/ttyACM0)")),
            },
        }
    }
}

/// What the board learns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LearnArg {
    /// A SORN reservoir whose RLS readout learns from --teacher, over the link.
    Rls,
}

#[derive(Args, Debug)]
pub struct PilArgs {
    /// Environment (the plant, on this PC).
    #[arg(long, value_enum)]
    env: EnvArg,
    /// Controller the board runs: a CTRNN model file or a SORN controller file (not with --learn).
    #[arg(long)]
    model: Option<PathBuf>,
    /// qemu-m4f (mps2-an386), qemu-m3 (mps2-an385) or serial:PATH for a real board.
    #[arg(long, value_parser = BoardArg::from_str)]
    board: BoardArg,
    /// Episodes to run (reset seeds seed, seed + 1, ...).
    #[arg(long, default_value_t = 10)]
    episodes: u64,
    /// Reset seed of the first episode.
    #[arg(long)]
    seed: u64,
    /// Learn on the board first (then run the episodes with what it learned).
    #[arg(long, value_enum)]
    learn: Option<LearnArg>,
    /// With --learn rls: the teacher (a CTRNN controller model file), acting on this PC.
    #[arg(long)]
    teacher: Option<PathBuf>,
    /// With --learn rls: teacher episodes (default 6).
    #[arg(long)]
    teacher_episodes: Option<u64>,
    /// With --learn rls: the reservoir's seed (default: --seed).
    #[arg(long)]
    reservoir_seed: Option<u64>,
    /// With --learn: write the controller the board learned (a SORN controller file).
    #[arg(long)]
    save: Option<PathBuf>,
    /// Replace an existing --save file.
    #[arg(long)]
    force: bool,
    /// The brain image for a qemu board (default: target/<target>/firmware/brain).
    #[arg(long)]
    image: Option<PathBuf>,
    /// Under QEMU, count instructions exactly (-icount; the link is ~3 times slower).
    #[arg(long)]
    icount: bool,
    /// Serial port speed (bits per second) for serial:PATH.
    #[arg(long, default_value_t = 115_200)]
    baud: u32,
    /// Seconds to wait for each reply from the board.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
}

impl Link for Box<dyn Link> {
    fn send(&mut self, bytes: &[u8]) -> Result<(), crate::pil::PilError> {
        (**self).send(bytes)
    }
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, crate::pil::PilError> {
        (**self).recv(buf, timeout)
    }
    fn gone(&mut self) -> Option<String> {
        (**self).gone()
    }
}

pub fn pil(a: PilArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let env = a.env.0;
    if !(a.timeout.is_finite() && a.timeout > 0.0) {
        bail!("--timeout {}: must be a positive number of seconds", a.timeout);
    }
    if a.episodes == 0 {
        bail!("--episodes 0: nothing to run");
    }
    // Read every input before the board starts.
    let job = match (&a.learn, &a.model, &a.teacher) {
        (None, Some(m), _) => Job::Run(Controller::load(m, env)?),
        (None, None, _) => bail!("--model is needed (or --learn rls --teacher MODEL)"),
        (Some(_), Some(_), _) => bail!("--model and --learn exclude each other: the board learns its own controller"),
        (Some(_), None, None) => bail!("--learn rls needs --teacher MODEL (a CTRNN controller)"),
        (Some(LearnArg::Rls), None, Some(t)) => Job::Learn(Model::load(t, LoadOptions::default())?.model),
    };
    if let Some(path) = &a.save {
        let inputs: Vec<&std::path::Path> = a.model.iter().chain(a.teacher.iter()).map(|p| p.as_path()).collect();
        super::check_output(path, a.force, &inputs)?;
    }
    let (link, counts): (Box<dyn Link>, bool) = match &a.board {
        BoardArg::Qemu(b) => {
            let image = match &a.image {
                Some(i) => i.clone(),
                None => default_image(*b, err)?,
            };
            (Box::new(Qemu::start(*b, &image, a.icount)?), a.icount)
        }
        BoardArg::Serial(path) => (Box::new(SerialLink::open(path, a.baud)?), true),
    };
    let mut client = Client::connect(link, Duration::from_secs_f64(a.timeout)).context("connecting to the board")?;
    let name = client.board().board.clone();
    writeln!(err, "board: {name} (firmware {})", client.board().firmware)?;
    let bar = indicatif::ProgressBar::new(a.episodes);
    let mut learned_digest = None;
    match job {
        Job::Run(Controller::Ctrnn(m)) => client.load_ctrnn(&m, env)?,
        Job::Run(Controller::Sorn(c)) => client.load_reservoir(&c, None)?,
        Job::Learn(teacher) => {
            let o = RlsOptions { episodes: a.teacher_episodes.unwrap_or(ONLINE_READOUT.episodes), ..ONLINE_READOUT };
            writeln!(err, "teaching the board's readout for {} episodes", o.episodes)?;
            let seed = a.reservoir_seed.unwrap_or(a.seed);
            let learned = learn_rls(&mut client, &teacher, env, seed, &o, &mut |_| {})?;
            let mut d = Fnv1a::new();
            learned.readout.iter().for_each(|r| d.write_f32s(r));
            learned_digest = Some(d.finish());
            if let Some(path) = &a.save {
                learned.save(path)?;
            }
        }
    }
    let t0 = Instant::now();
    let run = run_episodes(&mut client, env, a.episodes, a.seed, &mut |k| bar.set_position(k))?;
    let secs = t0.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let stats = client.stats()?;
    let s = &run.returns;
    let mut summary = serde_json::json!({
        "mean_return": s.mean, "std_return": s.std, "episodes": a.episodes,
        "terminated_fraction": s.terminated_fraction, "digest": format!("{:#010x}", run.digest),
        "board": name, "steps": run.steps,
        "bytes_per_step": run.bytes as f64 / run.steps.max(1) as f64,
        "steps_per_second": run.steps as f64 / secs.max(1e-9),
        "stack_bytes": stats.stack_bytes, "frames_refused": stats.refused,
    });
    if counts {
        let unit = format!("{:?}", stats.unit).to_lowercase();
        summary["cost_unit"] = unit.into();
        summary["act_cost_mean"] = stats.act.mean.into();
        if stats.teach.count > 0 {
            summary["teach_cost_mean"] = stats.teach.mean.into();
        }
    }
    if let Some(d) = learned_digest {
        summary["weights_digest"] = format!("{d:#010x}").into();
    }
    writeln!(out, "{summary}")?;
    Ok(0)
}

/// The brain image of `board` in this checkout's `target/`, built first (with cargo, as
/// [`QemuBoard::build_command`] says) when it is missing and this is the neuroloop workspace.
fn default_image(board: QemuBoard, err: &mut dyn Write) -> anyhow::Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let image = board.image(&target);
    if !image.is_file() && std::path::Path::new("firmware/src/bin/brain.rs").is_file() {
        writeln!(err, "building the brain image: {}", board.build_command())?;
        let status = std::process::Command::new("cargo")
            .args(["build", "-q", "-p", "neuroloop-firmware", "--profile", "firmware", "--target", board.target()])
            .args(["--bin", "brain"])
            .status()
            .context("running cargo to build the brain image")?;
        if !status.success() {
            bail!("building the brain image failed (is the target installed? rustup target add {})", board.target());
        }
    }
    Ok(image)
}

/// What `pil` puts on the board.
enum Job {
    /// A trained controller.
    Run(Controller),
    /// An RLS reservoir that learns from this teacher.
    Learn(Model),
}
