//! Raspberry Pi Pico (RP2040, Cortex-M0+, 12 MHz crystal): the brain on UART0, TX GP0 (pin 1)
//! and RX GP1 (pin 2), 115200 8N1; the core at 125 MHz (the HAL's `init_clocks_and_plls`);
//! costs in core cycles (SysTick: the M0+ has no cycle counter); logs over RTT (defmt).
//!
//! ## The boot block (the only `unsafe` here)
//!
//! The boot ROM copies the first 256 bytes of flash to RAM, checks their CRC and runs them: the
//! second-stage bootloader, which sets the QSPI flash up for execute-in-place and starts the
//! image at `0x1000_0100`. [`BOOT2_FIRMWARE`] is that block (rp2040-boot2's, for the Pico's
//! W25Q080), placed by `memory/rp2040.x` (`.boot2`). Why `unsafe`: `link_section` and
//! `no_mangle` are unsafe attributes (the linker script names the symbol; nothing else does).

use neuroloop_wire::frame::{FrameReader, MAX_FRAME};
use rp2040_hal::Clock;
use rp2040_hal::clocks::init_clocks_and_plls;
use rp2040_hal::fugit::RateExtU32;
use rp2040_hal::gpio::bank0::{Gpio0, Gpio1};
use rp2040_hal::gpio::{FunctionUart, Pin, Pins, PullDown};
use rp2040_hal::pac::{self, UART0};
use rp2040_hal::uart::{DataBits, Enabled, StopBits, UartConfig, UartPeripheral};
use rp2040_hal::{Sio, Watchdog};

use super::cycles::SysTickCycles;
use super::{Port, raw};
use crate::brain::Storage;

/// The second-stage bootloader (see the module docs).
#[unsafe(link_section = ".boot2")]
#[unsafe(no_mangle)]
#[used]
pub static BOOT2_FIRMWARE: [u8; 256] = rp2040_boot2::BOOT_LOADER_W25Q080;

/// The board's name in `Hello`.
pub const NAME: &str = "rp2040-pico";

/// The Pico's crystal.
const XOSC_HZ: u32 = 12_000_000;

type UartPins = (Pin<Gpio0, FunctionUart, PullDown>, Pin<Gpio1, FunctionUart, PullDown>);

/// UART0 through the HAL (polled, its 32-byte FIFOs on).
pub struct Uart0(UartPeripheral<Enabled, UART0, UartPins>);

impl Port for Uart0 {
    fn read_byte(&mut self) -> Option<u8> {
        let mut b = [0u8; 1];
        self.0.read_full_blocking(&mut b).ok().map(|()| b[0])
    }

    fn write_all(&mut self, bytes: &[u8]) {
        self.0.write_full_blocking(bytes);
    }
}

/// Sets the clocks up, opens UART0 and serves the wire protocol for ever.
pub fn run(storage: &mut Storage, reader: &mut FrameReader<MAX_FRAME>) -> ! {
    let (Some(mut p), Some(cp)) = (pac::Peripherals::take(), cortex_m::Peripherals::take()) else {
        defmt::error!("peripherals already taken");
        halt()
    };
    let mut watchdog = Watchdog::new(p.WATCHDOG);
    let Ok(clocks) =
        init_clocks_and_plls(XOSC_HZ, p.XOSC, p.CLOCKS, p.PLL_SYS, p.PLL_USB, &mut p.RESETS, &mut watchdog)
    else {
        defmt::error!("clocks: the 12 MHz crystal or a PLL did not start");
        halt()
    };
    let sio = Sio::new(p.SIO);
    let pins = Pins::new(p.IO_BANK0, p.PADS_BANK0, sio.gpio_bank0, &mut p.RESETS);
    let uart_pins = (pins.gpio0.into_function::<FunctionUart>(), pins.gpio1.into_function::<FunctionUart>());
    let config = UartConfig::new(115_200.Hz(), DataBits::Eight, None, StopBits::One);
    let Ok(uart) =
        UartPeripheral::new(p.UART0, uart_pins, &mut p.RESETS).enable(config, clocks.peripheral_clock.freq())
    else {
        defmt::error!("UART0: 115200 bit/s is out of reach at these clocks");
        halt()
    };
    defmt::info!(
        "neuroloop brain on {}: {} MHz, UART0 GP0 TX / GP1 RX at 115200 8N1, {} B of stack",
        NAME,
        clocks.system_clock.freq().to_MHz(),
        raw::size()
    );
    super::serve(storage, reader, &mut Uart0(uart), SysTickCycles::new(cp.SYST), NAME)
}

/// Stops here (the log says why), waiting for the debugger or a reset.
fn halt() -> ! {
    loop {
        cortex_m::asm::wfi();
    }
}
