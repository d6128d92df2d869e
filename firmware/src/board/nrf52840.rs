//! nRF52840-DK (PCA10056, Cortex-M4F at 64 MHz): the brain on UARTE0, TX P0.06 and RX P0.08,
//! 115200 8N1, which the DK's interface MCU (J-Link OB) shows on the PC as a USB serial port
//! (`/dev/ttyACM0`); the high-frequency crystal on (an accurate baud rate); costs in core cycles
//! (DWT); logs over RTT (defmt).

use neuroloop_wire::frame::{FrameReader, MAX_FRAME};
use nrf52840_hal::Clocks;
use nrf52840_hal::gpio::{Level, p0};
use nrf52840_hal::pac::{self, UARTE0};
use nrf52840_hal::uarte::{Baudrate, Parity, Pins, Uarte};

use super::cycles::Dwt;
use super::{Port, raw};
use crate::brain::Storage;

/// The board's name in `Hello`.
pub const NAME: &str = "nrf52840-dk";

/// Bytes per EasyDMA transfer out. The reply is copied to the stack first: EasyDMA reads RAM
/// only, and the copy makes that so whatever the caller's slice is.
const TX_CHUNK: usize = 64;

/// UARTE0 through the HAL (EasyDMA, blocking).
pub struct Uarte0(Uarte<UARTE0>);

impl Port for Uarte0 {
    fn read_byte(&mut self) -> Option<u8> {
        let mut b = [0u8; 1];
        self.0.read(&mut b).ok().map(|()| b[0])
    }

    fn write_all(&mut self, bytes: &[u8]) {
        let mut buf = [0u8; TX_CHUNK];
        for chunk in bytes.chunks(TX_CHUNK) {
            buf[..chunk.len()].copy_from_slice(chunk);
            if self.0.write(&buf[..chunk.len()]).is_err() {
                // Not reachable (RAM, 1..=64 bytes); the host times out and says so.
                defmt::warn!("UARTE0: a reply chunk was not sent");
            }
        }
    }
}

/// Starts the crystal, opens UARTE0 and serves the wire protocol for ever.
pub fn run(storage: &mut Storage, reader: &mut FrameReader<MAX_FRAME>) -> ! {
    let (Some(p), Some(cp)) = (pac::Peripherals::take(), cortex_m::Peripherals::take()) else {
        defmt::error!("peripherals already taken");
        loop {
            cortex_m::asm::wfi();
        }
    };
    // The UART's baud rate comes from HFCLK: the crystal (±40 ppm) rather than the RC oscillator.
    let _clocks = Clocks::new(p.CLOCK).enable_ext_hfosc();
    let port0 = p0::Parts::new(p.P0);
    let pins = Pins {
        txd: port0.p0_06.into_push_pull_output(Level::High).degrade(),
        rxd: port0.p0_08.into_floating_input().degrade(),
        cts: None,
        rts: None,
    };
    let uarte = Uarte::new(p.UARTE0, pins, Parity::EXCLUDED, Baudrate::BAUD115200);
    defmt::info!(
        "neuroloop brain on {}: 64 MHz, UARTE0 P0.06 TX / P0.08 RX at 115200 8N1, {} B of stack",
        NAME,
        raw::size()
    );
    super::serve(storage, reader, &mut Uarte0(uarte), Dwt::new(cp.DCB, cp.DWT), NAME)
}
