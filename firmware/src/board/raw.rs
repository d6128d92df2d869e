//! The only `unsafe` in the firmware: memory the compiler knows nothing about, the stack
//! region between two linker symbols and the CMSDK UART's registers.
//!
//! ## Stack high-water mark by painting
//!
//! cortex-m-rt's `paint-stack` feature fills the stack region (`_stack_end` up to
//! `_stack_start`, both from its linker script) with [`PAINT`] before `main`. A word that no
//! longer holds the paint has been used, so the lowest such word gives the deepest the stack has
//! reached. [`repaint`] refills everything below the current stack pointer, so the next reading
//! covers only what ran after it (one peak per scenario).
//!
//! Why `unsafe`: the region is memory the compiler knows nothing about (linker symbols, raw
//! addresses). Reads and writes are volatile, word-aligned and stay inside
//! `_stack_end.._stack_start`; writes stop 64 bytes below this function's own stack pointer, so
//! they never touch a live frame (no interrupt handler runs in this firmware).
//!
//! ## The CMSDK APB UART (QEMU's `mps2-an385` / `mps2-an386`)
//!
//! UART0 at `0x4000_4000`: `DATA` (offset 0: write a byte to send, read a received one),
//! `STATE` (4: bit 0 TX full, bit 1 RX full), `CTRL` (8: bit 0 TX enable, bit 1 RX enable),
//! `BAUDDIV` (0x10: at least 16; QEMU does not model the rate). Polled, no interrupts. Why
//! `unsafe`: memory-mapped registers; every access is a volatile 32-bit read or write of one
//! of these four fixed addresses.

/// What cortex-m-rt paints the stack with (`cortex_m_rt::STACK_PAINT_VALUE`).
pub const PAINT: u32 = cortex_m_rt::STACK_PAINT_VALUE;

/// Bytes kept free below the stack pointer while repainting (this function's own frame).
const GUARD: usize = 64;

unsafe extern "C" {
    static _stack_start: u32;
    static _stack_end: u32;
}

/// Bounds of the stack region as word pointers `(lowest, one past highest)`.
fn region() -> (*mut u32, *mut u32) {
    // Taking the address of a linker symbol reads nothing (safe since Rust 1.82).
    let lo = (&raw const _stack_end).cast_mut();
    let hi = (&raw const _stack_start).cast_mut();
    (lo, hi)
}

/// Size of the stack region in bytes (RAM left after `.data` and `.bss`).
pub fn size() -> usize {
    let (lo, hi) = region();
    hi as usize - lo as usize
}

/// Deepest stack use since start-up or the last [`repaint`], in bytes.
pub fn high_water() -> usize {
    let (lo, hi) = region();
    let mut p = lo;
    while p < hi {
        // SAFETY: `p` is word-aligned and inside the stack region, which is RAM.
        if unsafe { p.read_volatile() } != PAINT {
            break;
        }
        p = p.wrapping_add(1);
    }
    hi as usize - p as usize
}

/// Paints the stack again below the current stack pointer (less [`GUARD`] bytes), so the next
/// [`high_water`] measures only what runs after this call.
pub fn repaint() {
    let (lo, _) = region();
    let sp = cortex_m::register::msp::read() as usize;
    let end = (sp.saturating_sub(GUARD) & !3) as *mut u32;
    let mut p = lo;
    while p < end {
        // SAFETY: word-aligned, at or above `_stack_end` and below the live stack (see module docs).
        unsafe { p.write_volatile(PAINT) };
        p = p.wrapping_add(1);
    }
}

/// UART0 of the mps2 machines.
pub struct CmsdkUart {
    base: usize,
}

impl CmsdkUart {
    const DATA: usize = 0x00;
    const STATE: usize = 0x04;
    const CTRL: usize = 0x08;
    const BAUDDIV: usize = 0x10;

    /// UART0 with its transmitter and receiver on.
    pub fn uart0() -> CmsdkUart {
        let u = CmsdkUart { base: 0x4000_4000 };
        u.write(Self::BAUDDIV, 16);
        u.write(Self::CTRL, 0b11);
        u
    }

    fn read(&self, offset: usize) -> u32 {
        // SAFETY: one of the UART's four 32-bit registers (module docs), volatile.
        unsafe { ((self.base + offset) as *const u32).read_volatile() }
    }

    fn write(&self, offset: usize, value: u32) {
        // SAFETY: as in `read`.
        unsafe { ((self.base + offset) as *mut u32).write_volatile(value) }
    }

    /// Sends one byte (waits while the transmitter is full).
    pub fn write_byte(&mut self, b: u8) {
        while self.read(Self::STATE) & 1 != 0 {}
        self.write(Self::DATA, u32::from(b));
    }

    /// Receives one byte (waits until one is there).
    pub fn read_byte(&mut self) -> u8 {
        while self.read(Self::STATE) & 2 == 0 {}
        self.read(Self::DATA) as u8
    }
}
