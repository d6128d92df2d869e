//! STM32F411CEU6 "Black Pill" (WeAct, Cortex-M4F, 25 MHz crystal): the brain on USART1, TX
//! PA9 and RX PA10, 115200 8N1; the core at 100 MHz from the crystal; costs in core cycles
//! (DWT); logs over RTT (defmt).

use neuroloop_wire::frame::{FrameReader, MAX_FRAME};
use stm32f4xx_hal::pac::{self, USART1};
use stm32f4xx_hal::prelude::*;
use stm32f4xx_hal::rcc::Config;
use stm32f4xx_hal::serial::{self, Serial};

use super::cycles::Dwt;
use super::{Port, raw};
use crate::brain::Storage;

/// The board's name in `Hello`.
pub const NAME: &str = "stm32f411-blackpill";

/// Core clock.
pub const SYSCLK_HZ: u32 = 100_000_000;

/// USART1 through the HAL.
pub struct Usart1(Serial<USART1>);

impl Port for Usart1 {
    fn read_byte(&mut self) -> Option<u8> {
        stm32f4xx_hal::nb::block!(_embedded_hal_serial_nb_Read::read(&mut self.0)).ok()
    }

    fn write_all(&mut self, bytes: &[u8]) {
        for &b in bytes {
            // The transmitter reports no errors: `block!` only waits for room.
            let _ = stm32f4xx_hal::nb::block!(_embedded_hal_serial_nb_Write::write(&mut self.0, b));
        }
    }
}

/// Sets the clocks up, opens USART1 and serves the wire protocol for ever.
pub fn run(storage: &mut Storage, reader: &mut FrameReader<MAX_FRAME>) -> ! {
    let (Some(dp), Some(cp)) = (pac::Peripherals::take(), cortex_m::Peripherals::take()) else {
        defmt::error!("peripherals already taken");
        halt()
    };
    let mut rcc = dp.RCC.freeze(Config::hse(25.MHz()).sysclk(SYSCLK_HZ.Hz()));
    let gpioa = dp.GPIOA.split(&mut rcc);
    let config = serial::Config::default().baudrate(115_200.bps());
    let usart = match dp.USART1.serial((gpioa.pa9, gpioa.pa10), config, &mut rcc) {
        Ok(s) => s,
        Err(_) => {
            defmt::error!("USART1: 115200 bit/s is out of reach at these clocks");
            halt()
        }
    };
    defmt::info!(
        "neuroloop brain on {}: {} MHz, USART1 PA9 TX / PA10 RX at 115200 8N1, {} B of stack",
        NAME,
        rcc.clocks.sysclk().raw() / 1_000_000,
        raw::size()
    );
    super::serve(storage, reader, &mut Usart1(usart), Dwt::new(cp.DCB, cp.DWT), NAME)
}

/// Stops here (the log says why), waiting for the debugger or a reset.
fn halt() -> ! {
    loop {
        cortex_m::asm::wfi();
    }
}
