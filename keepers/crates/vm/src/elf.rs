//! Loading a guest: a statically linked little-endian RISC-V ELF64 executable, its `PT_LOAD`
//! segments copied into memory (the rest of each segment zero, as memory already is).

use crate::{
    cpu::Cpu,
    machine::Machine,
    memory::{MEMORY_SIZE, Memory},
};
use alloy_primitives::B256;

/// Why a file is not a guest this machine runs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ElfError {
    /// Shorter than the headers it declares.
    #[error("the ELF file is truncated: {0}")]
    Truncated(&'static str),
    /// Not a 64-bit little-endian RISC-V executable.
    #[error("not a 64-bit little-endian RISC-V executable ELF ({0})")]
    NotRiscv64(&'static str),
    /// Built with compressed instructions, which the machine does not execute.
    #[error(
        "the ELF is built with compressed instructions (RVC flag set); build the guest with \
         `-C target-feature=-c,-zca`"
    )]
    Compressed,
    /// A segment reaches past the machine's 4 GiB of memory.
    #[error("segment at {vaddr:#x} of {memsz:#x} bytes reaches past the end of memory")]
    OutOfMemory {
        /// The segment's address.
        vaddr: u64,
        /// Its size in memory.
        memsz: u64,
    },
    /// A segment's file bytes are not inside the file, or exceed its size in memory.
    #[error("segment at {vaddr:#x} has a bad file range")]
    BadSegment {
        /// The segment's address.
        vaddr: u64,
    },
}

const PT_LOAD: u32 = 1;
const EF_RISCV_RVC: u32 = 1;

/// A loaded program: its entry point and initial memory.
#[derive(Clone, Debug)]
pub struct Program {
    /// Where execution starts.
    pub entry: u64,
    /// Memory with every loaded segment in place.
    pub memory: Memory,
}

fn bytes<const N: usize>(file: &[u8], at: usize, what: &'static str) -> Result<[u8; N], ElfError> {
    file.get(at..at + N)
        .map(|s| s.try_into().expect("N bytes"))
        .ok_or(ElfError::Truncated(what))
}
fn u16_at(file: &[u8], at: usize, what: &'static str) -> Result<u16, ElfError> {
    bytes(file, at, what).map(u16::from_le_bytes)
}
fn u32_at(file: &[u8], at: usize, what: &'static str) -> Result<u32, ElfError> {
    bytes(file, at, what).map(u32::from_le_bytes)
}
fn u64_at(file: &[u8], at: usize, what: &'static str) -> Result<u64, ElfError> {
    bytes(file, at, what).map(u64::from_le_bytes)
}

impl Program {
    /// Parses and loads `file`.
    pub fn load(file: &[u8]) -> Result<Self, ElfError> {
        let ident: [u8; 16] = bytes(file, 0, "identification")?;
        if ident[..4] != *b"\x7fELF" {
            return Err(ElfError::NotRiscv64("no ELF magic"));
        }
        if ident[4] != 2 || ident[5] != 1 {
            return Err(ElfError::NotRiscv64("not 64-bit little-endian"));
        }
        if u16_at(file, 16, "type")? != 2 {
            return Err(ElfError::NotRiscv64("not an executable (ET_EXEC)"));
        }
        if u16_at(file, 18, "machine")? != 243 {
            return Err(ElfError::NotRiscv64("not RISC-V"));
        }
        if u32_at(file, 48, "flags")? & EF_RISCV_RVC != 0 {
            return Err(ElfError::Compressed);
        }
        let entry = u64_at(file, 24, "entry")?;
        let phoff = u64_at(file, 32, "program header offset")? as usize;
        let phentsize = usize::from(u16_at(file, 54, "program header size")?);
        let phnum = usize::from(u16_at(file, 56, "program header count")?);
        if phentsize < 56 {
            return Err(ElfError::Truncated("program header entries"));
        }
        let mut memory = Memory::new();
        for k in 0..phnum {
            let at = phoff + k * phentsize;
            if u32_at(file, at, "program header")? != PT_LOAD {
                continue;
            }
            let offset = u64_at(file, at + 8, "segment offset")?;
            let vaddr = u64_at(file, at + 16, "segment address")?;
            let filesz = u64_at(file, at + 32, "segment file size")?;
            let memsz = u64_at(file, at + 40, "segment memory size")?;
            if vaddr.checked_add(memsz).is_none_or(|end| end > MEMORY_SIZE) {
                return Err(ElfError::OutOfMemory { vaddr, memsz });
            }
            let data = usize::try_from(offset)
                .ok()
                .zip(usize::try_from(filesz).ok())
                .and_then(|(o, n)| file.get(o..o.checked_add(n)?))
                .filter(|_| filesz <= memsz)
                .ok_or(ElfError::BadSegment { vaddr })?;
            memory.write_bytes(vaddr, data);
        }
        Ok(Self { entry, memory })
    }

    /// The Merkle root of the loaded memory image.
    pub fn image_root(&self) -> B256 {
        self.memory.clone().root()
    }

    /// The absolute pre-state: the claim hash of the booted machine before any input, which
    /// names this program in a deployment (`keepers/guest/image.json`).
    pub fn absolute_prestate(&self) -> B256 {
        self.boot(B256::ZERO).claim()
    }

    /// The machine that runs this program on `input`: at the entry point, every register zero
    /// but `a0`..`a3`, which hold the input's key as four big-endian words.
    pub fn boot(&self, input: B256) -> Machine {
        let mut cpu = Cpu::new(self.entry, self.memory.clone());
        for (k, word) in input.chunks(8).enumerate() {
            cpu.regs[10 + k] = u64::from_be_bytes(word.try_into().expect("8 bytes"));
        }
        Machine::new(cpu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal ELF64 header (and one program header) for a RISC-V executable.
    fn elf(flags: u32, segment: (u64, u64, u64, u64)) -> Vec<u8> {
        let (offset, vaddr, filesz, memsz) = segment;
        let mut f = vec![0u8; 0x100];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = 2;
        f[5] = 1;
        f[16..18].copy_from_slice(&2u16.to_le_bytes());
        f[18..20].copy_from_slice(&243u16.to_le_bytes());
        f[24..32].copy_from_slice(&0x1000u64.to_le_bytes());
        f[32..40].copy_from_slice(&64u64.to_le_bytes());
        f[48..52].copy_from_slice(&flags.to_le_bytes());
        f[54..56].copy_from_slice(&56u16.to_le_bytes());
        f[56..58].copy_from_slice(&1u16.to_le_bytes());
        let ph = 64;
        f[ph..ph + 4].copy_from_slice(&PT_LOAD.to_le_bytes());
        f[ph + 8..ph + 16].copy_from_slice(&offset.to_le_bytes());
        f[ph + 16..ph + 24].copy_from_slice(&vaddr.to_le_bytes());
        f[ph + 32..ph + 40].copy_from_slice(&filesz.to_le_bytes());
        f[ph + 40..ph + 48].copy_from_slice(&memsz.to_le_bytes());
        f[0xf0..0xf4].copy_from_slice(&0x0000_0073u32.to_le_bytes());
        f
    }

    #[test]
    fn a_segment_is_loaded_and_the_rest_of_memory_is_zero() {
        let program = Program::load(&elf(0, (0xf0, 0x1000, 4, 0x2000))).unwrap();
        assert_eq!(program.entry, 0x1000);
        let mut machine = program.boot(B256::repeat_byte(1));
        assert_eq!(machine.cpu.mem.read(0x1000, 4), 0x73);
        assert_eq!(machine.cpu.mem.read(0x1004, 4), 0);
        assert_eq!(machine.cpu.reg(10), 0x0101_0101_0101_0101);
        assert_ne!(
            machine.claim(),
            program.absolute_prestate(),
            "the input is in the state"
        );
    }

    #[test]
    fn files_that_are_not_guests_get_their_reason() {
        assert_eq!(
            Program::load(b"\x7fEL").unwrap_err(),
            ElfError::Truncated("identification")
        );
        let mut not_elf = elf(0, (0xf0, 0x1000, 4, 4));
        not_elf[0] = 0;
        assert_eq!(
            Program::load(&not_elf).unwrap_err(),
            ElfError::NotRiscv64("no ELF magic")
        );
        let mut x86 = elf(0, (0xf0, 0x1000, 4, 4));
        x86[18] = 62;
        assert_eq!(
            Program::load(&x86).unwrap_err(),
            ElfError::NotRiscv64("not RISC-V")
        );
        assert_eq!(
            Program::load(&elf(EF_RISCV_RVC, (0xf0, 0x1000, 4, 4))).unwrap_err(),
            ElfError::Compressed
        );
        assert_eq!(
            Program::load(&elf(0, (0xf0, MEMORY_SIZE - 2, 4, 4))).unwrap_err(),
            ElfError::OutOfMemory {
                vaddr: MEMORY_SIZE - 2,
                memsz: 4
            }
        );
        assert_eq!(
            Program::load(&elf(0, (0xf0, 0x1000, 0x100, 0x100))).unwrap_err(),
            ElfError::BadSegment { vaddr: 0x1000 }
        );
        assert_eq!(
            Program::load(&elf(0, (0xf0, 0x1000, 8, 4))).unwrap_err(),
            ElfError::BadSegment { vaddr: 0x1000 }
        );
        assert!(
            ElfError::Compressed
                .to_string()
                .contains("-C target-feature=-c,-zca")
        );
    }
}
