//! Byte-addressed little-endian memory in 4 KiB pages. Memory never written reads as zero.
//! Accesses are naturally aligned (the CPU traps a misaligned one before it gets here), so an
//! access never spans two pages.

use std::collections::BTreeMap;

/// Bytes in one page.
pub const PAGE_SIZE: u64 = 4096;

/// The machine's memory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    pages: BTreeMap<u64, Box<[u8; PAGE_SIZE as usize]>>,
}

impl Memory {
    /// Empty memory (all zero).
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `width` (1, 2, 4 or 8) bytes at `addr`, which must be aligned to `width`.
    pub fn read(&self, addr: u64, width: u64) -> u64 {
        debug_assert!(addr.is_multiple_of(width));
        let Some(page) = self.pages.get(&(addr / PAGE_SIZE)) else {
            return 0;
        };
        let at = (addr % PAGE_SIZE) as usize;
        let mut bytes = [0u8; 8];
        bytes[..width as usize].copy_from_slice(&page[at..at + width as usize]);
        u64::from_le_bytes(bytes)
    }

    /// Writes the low `width` (1, 2, 4 or 8) bytes of `value` at `addr`, aligned to `width`.
    pub fn write(&mut self, addr: u64, width: u64, value: u64) {
        debug_assert!(addr.is_multiple_of(width));
        let page = self
            .pages
            .entry(addr / PAGE_SIZE)
            .or_insert_with(|| Box::new([0u8; PAGE_SIZE as usize]));
        let at = (addr % PAGE_SIZE) as usize;
        page[at..at + width as usize].copy_from_slice(&value.to_le_bytes()[..width as usize]);
    }

    /// Copies `bytes` to memory from `addr` on (any alignment): how a loader places a program.
    pub fn write_bytes(&mut self, addr: u64, bytes: &[u8]) {
        for (i, b) in bytes.iter().enumerate() {
            self.write(addr.wrapping_add(i as u64), 1, u64::from(*b));
        }
    }

    /// Pages holding something written.
    pub fn pages(&self) -> usize {
        self.pages.len()
    }
}
