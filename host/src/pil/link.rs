//! The byte stream to a board: QEMU's serial port through a unix socket, or a real serial port.

use std::io::{Read, Write};
use std::time::Duration;

use super::PilError;

/// A byte stream to a board.
pub trait Link {
    /// Sends all of `bytes`.
    fn send(&mut self, bytes: &[u8]) -> Result<(), PilError>;
    /// Receives into `buf`, waiting at most `timeout`; `Ok(0)` when nothing came in time.
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, PilError>;
    /// Why the link cannot go on, if the other end is known to be gone (QEMU exited): checked
    /// when a reply does not come.
    fn gone(&mut self) -> Option<String> {
        None
    }
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)
}

/// A link over any stream with read timeouts (`set_timeout` sets them).
pub struct StreamLink<S> {
    stream: S,
    set_timeout: fn(&S, Duration) -> std::io::Result<()>,
    timeout: Option<Duration>,
}

impl<S: Read + Write> StreamLink<S> {
    /// `stream`, whose read timeout `set_timeout` sets.
    pub fn new(stream: S, set_timeout: fn(&S, Duration) -> std::io::Result<()>) -> Self {
        StreamLink { stream, set_timeout, timeout: None }
    }
}

impl<S: Read + Write> Link for StreamLink<S> {
    fn send(&mut self, bytes: &[u8]) -> Result<(), PilError> {
        self.stream.write_all(bytes).and_then(|_| self.stream.flush()).map_err(PilError::Io)
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, PilError> {
        let timeout = timeout.max(Duration::from_millis(1));
        if self.timeout != Some(timeout) {
            (self.set_timeout)(&self.stream, timeout).map_err(PilError::Io)?;
            self.timeout = Some(timeout);
        }
        match self.stream.read(buf) {
            Ok(0) => Err(PilError::Closed),
            Ok(n) => Ok(n),
            Err(e) if timed_out(&e) => Ok(0),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(0),
            Err(e) => Err(PilError::Io(e)),
        }
    }
}

/// A unix socket (QEMU's `-chardev socket`).
pub type UnixLink = StreamLink<std::os::unix::net::UnixStream>;

/// Connects to a unix socket.
pub fn unix(stream: std::os::unix::net::UnixStream) -> UnixLink {
    StreamLink::new(stream, |s, t| s.set_read_timeout(Some(t)))
}

/// A real serial port (a board's UART through a USB adapter, or USB CDC).
pub struct SerialLink {
    port: Box<dyn serialport::SerialPort>,
    timeout: Option<Duration>,
}

impl SerialLink {
    /// Opens `path` (e.g. `/dev/ttyACM0`) at `baud` bits per second, 8N1, raw.
    pub fn open(path: &str, baud: u32) -> Result<SerialLink, PilError> {
        let port = serialport::new(path, baud)
            .timeout(Duration::from_millis(100))
            .open()
            .map_err(|e| PilError::Open { what: path.to_string(), why: e.to_string() })?;
        Ok(SerialLink { port, timeout: None })
    }
}

impl Link for SerialLink {
    fn send(&mut self, bytes: &[u8]) -> Result<(), PilError> {
        self.port.write_all(bytes).and_then(|_| self.port.flush()).map_err(PilError::Io)
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> Result<usize, PilError> {
        if self.timeout != Some(timeout) {
            self.port.set_timeout(timeout).map_err(|e| PilError::Io(e.into()))?;
            self.timeout = Some(timeout);
        }
        match self.port.read(buf) {
            Ok(n) => Ok(n),
            Err(e) if timed_out(&e) => Ok(0),
            Err(e) => Err(PilError::Io(e)),
        }
    }
}
