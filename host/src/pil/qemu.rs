//! A board under QEMU: starts `qemu-system-arm` with the brain image, its serial port on a
//! unix socket (QEMU waits for us before the board runs, so no byte is lost), and stops it
//! when dropped. If QEMU exits, the link says so (with what it printed) instead of waiting.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::PilError;
use super::link::{Link, UnixLink, unix};

/// A QEMU machine the brain runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QemuBoard {
    /// `mps2-an386`, Cortex-M4F (hardware FPU).
    M4f,
    /// `mps2-an385`, Cortex-M3 (soft float).
    M3,
}

impl QemuBoard {
    /// Its Rust target.
    pub const fn target(self) -> &'static str {
        match self {
            QemuBoard::M4f => "thumbv7em-none-eabihf",
            QemuBoard::M3 => "thumbv7m-none-eabi",
        }
    }

    const fn machine(self) -> (&'static str, &'static str) {
        match self {
            QemuBoard::M4f => ("mps2-an386", "cortex-m4"),
            QemuBoard::M3 => ("mps2-an385", "cortex-m3"),
        }
    }

    /// The command that builds the brain image for it.
    pub fn build_command(self) -> String {
        format!("cargo build -p neuroloop-firmware --profile firmware --target {} --bin brain", self.target())
    }

    /// Where that command leaves the image, under `target_dir`.
    pub fn image(self, target_dir: &Path) -> PathBuf {
        target_dir.join(self.target()).join("firmware").join("brain")
    }
}

/// A running QEMU board and the link to its serial port.
pub struct Qemu {
    child: Child,
    link: UnixLink,
    icount: bool,
    _dir: tempfile::TempDir,
}

impl Qemu {
    /// Starts `image` on `board` and connects to its serial port (within 10 s). With `icount`
    /// QEMU counts instructions exactly (`-icount shift=10`: the board's costs are then
    /// instructions) but serves the serial port about 3 times slower (~45 control steps per
    /// second instead of ~130 here); without it the board's cost readings are meaningless.
    pub fn start(board: QemuBoard, image: &Path, icount: bool) -> Result<Qemu, PilError> {
        if !image.is_file() {
            return Err(PilError::Open {
                what: image.display().to_string(),
                why: format!("no brain image there: build it with `{}`", board.build_command()),
            });
        }
        let dir = tempfile::tempdir().map_err(PilError::Io)?;
        let sock = dir.path().join("board.sock");
        let (machine, cpu) = board.machine();
        let mut child = Command::new("qemu-system-arm")
            .args(["-machine", machine, "-cpu", cpu, "-nographic", "-monitor", "none"])
            .args(["-semihosting-config", "enable=on,target=native"])
            .args(if icount { &["-icount", "shift=10,sleep=off"][..] } else { &[] })
            .arg("-chardev")
            .arg(format!("socket,id=s0,path={},server=on,wait=on", sock.display()))
            .args(["-serial", "chardev:s0", "-kernel"])
            .arg(image)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| PilError::Open {
                what: "qemu-system-arm".into(),
                why: format!("{e} (install it: apt-get install -y qemu-system-arm)"),
            })?;
        let deadline = Instant::now() + Duration::from_secs(10);
        let stream = loop {
            if let Ok(Some(_)) = child.try_wait() {
                return Err(PilError::BoardGone(output(&mut child)));
            }
            match std::os::unix::net::UnixStream::connect(&sock) {
                Ok(s) => break s,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => {
                    let _ = child.kill();
                    return Err(PilError::Open { what: sock.display().to_string(), why: e.to_string() });
                }
            }
        };
        Ok(Qemu { child, link: unix(stream), icount, _dir: dir })
    }

    /// Whether the board's costs are instructions (QEMU runs with `-icount`).
    pub fn counts_instructions(&self) -> bool {
        self.icount
    }

    /// Stops QEMU (also on drop).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What an exited QEMU printed, and its status.
fn output(child: &mut Child) -> String {
    let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
    let mut text = String::new();
    if let Some(o) = child.stdout.as_mut() {
        let _ = o.read_to_string(&mut text);
    }
    if let Some(e) = child.stderr.as_mut() {
        let _ = e.read_to_string(&mut text);
    }
    format!("QEMU exited ({status}): {}", text.trim())
}

impl Link for Qemu {
    fn send(&mut self, bytes: &[u8]) -> Result<(), PilError> {
        match self.link.send(bytes) {
            Err(_) if matches!(self.child.try_wait(), Ok(Some(_))) => Err(PilError::BoardGone(output(&mut self.child))),
            r => r,
        }
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, PilError> {
        match self.link.recv(buf, timeout) {
            Err(PilError::Closed) => Err(PilError::BoardGone(output(&mut self.child))),
            r => r,
        }
    }

    fn gone(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(_)) => Some(output(&mut self.child)),
            _ => None,
        }
    }
}

impl Drop for Qemu {
    fn drop(&mut self) {
        self.stop();
    }
}
