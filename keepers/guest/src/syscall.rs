//! The VM's three syscalls (Linux numbers, so qemu-riscv64 runs the guest as it is) and the
//! preimage channel over them: write the 32-byte key to descriptor 3, read the preimage framed
//! by its 8-byte big-endian length from descriptor 4. Every transfer stays inside one 32-byte
//! leaf, so the VM and qemu (reading a file) return the same counts.

use alloc::vec::Vec;
use alloy_primitives::B256;
use core::arch::asm;

const SYS_READ: u64 = 63;
const SYS_WRITE: u64 = 64;
const SYS_EXIT: u64 = 93;
const FD_PREIMAGE_KEY: u64 = 3;
const FD_PREIMAGE_DATA: u64 = 4;

fn syscall3(number: u64, a0: u64, a1: u64, a2: u64) -> u64 {
    let ret;
    // SAFETY: an `ecall` with the Linux calling convention; the host reads and writes only the
    // buffer named.
    unsafe {
        asm!("ecall", in("a7") number, inlateout("a0") a0 => ret, in("a1") a1, in("a2") a2,
             options(nostack));
    }
    ret
}

/// Ends the run with `code`.
pub fn exit(code: u64) -> ! {
    syscall3(SYS_EXIT, code, 0, 0);
    unreachable!("exit returned")
}

/// Writes `bytes` to standard error (the host may show them; the VM's state ignores them).
pub fn write_stderr(bytes: &[u8]) {
    syscall3(SYS_WRITE, 2, bytes.as_ptr() as u64, bytes.len() as u64);
}

/// Bytes from `addr` to the end of its 32-byte leaf.
fn leaf_room(addr: usize) -> usize {
    32 - addr % 32
}

/// Fills `buf` from the preimage channel, one leaf-bounded read at a time.
fn read_exact(buf: &mut [u8]) {
    let mut done = 0;
    while done < buf.len() {
        let at = buf[done..].as_mut_ptr();
        let chunk = (buf.len() - done).min(leaf_room(at as usize));
        let n = syscall3(SYS_READ, FD_PREIMAGE_DATA, at as u64, chunk as u64) as usize;
        assert!(n == chunk, "the preimage channel returned {n} of {chunk} bytes");
        done += n;
    }
}

#[repr(C, align(32))]
struct Leaf([u8; 32]);

/// The preimage of `key`.
pub fn read_preimage(key: &B256) -> Vec<u8> {
    let leaf = Leaf(key.0);
    let n = syscall3(SYS_WRITE, FD_PREIMAGE_KEY, leaf.0.as_ptr() as u64, 32);
    assert!(n == 32, "the preimage channel took {n} of 32 key bytes");
    let mut length = Leaf([0; 32]);
    read_exact(&mut length.0[..8]);
    let length = u64::from_be_bytes(length.0[..8].try_into().expect("8 bytes")) as usize;
    let mut bytes = alloc::vec![0u8; length];
    read_exact(&mut bytes);
    bytes
}

/// The preimage channel, as each guest's STF reads preimages.
pub struct Channel;
