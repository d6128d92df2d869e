//! What runs only on a board (built for `target_os = "none"`): the serial port, the cost
//! counter and the stack probe the brain and the scenarios use. One module per board;
//! [`raw`] holds the firmware's only `unsafe` (stack painting, the CMSDK UART's registers).

pub mod qemu;
#[allow(unsafe_code)]
pub mod raw;
