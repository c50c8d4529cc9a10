//! What a `no_std` program needs to run on the VM: the entry point, a heap, a panic handler.

use core::{
    alloc::{GlobalAlloc, Layout},
    arch::global_asm,
    cell::UnsafeCell,
    fmt::Write,
};

// The entry point: a stack, then `guest_main` with the registers the VM booted with (the input
// key in a0..a3) untouched.
global_asm!(
    ".section .text._start",
    ".global _start",
    "_start:",
    "  la sp, __stack_top",
    "  call guest_main",
);

unsafe extern "C" {
    static __heap_start: u8;
    static __heap_end: u8;
}

/// A bump allocator over the heap region: a run checks one transaction and ends, so nothing is
/// ever freed.
struct Bump {
    next: UnsafeCell<usize>,
}

// SAFETY: the guest has one thread.
unsafe impl Sync for Bump {}

// SAFETY: every block handed out is inside the heap region, aligned, and never handed out twice.
unsafe impl GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: one thread; the linker symbols bound the heap.
        unsafe {
            let next = &mut *self.next.get();
            if *next == 0 {
                *next = &raw const __heap_start as usize;
            }
            let start = next.next_multiple_of(layout.align());
            let end = start + layout.size();
            if end > &raw const __heap_end as usize {
                return core::ptr::null_mut();
            }
            *next = end;
            start as *mut u8
        }
    }

    unsafe fn dealloc(&self, _: *mut u8, _: Layout) {}
}

#[global_allocator]
static HEAP: Bump = Bump {
    next: UnsafeCell::new(0),
};

/// Formats into a fixed buffer (a panic must not allocate).
struct Message {
    buf: [u8; 512],
    len: usize,
}

impl Write for Message {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let n = s.len().min(self.buf.len() - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut message = Message {
        buf: [0; 512],
        len: 0,
    };
    let _ = writeln!(message, "guest panicked: {info}");
    crate::syscall::write_stderr(&message.buf[..message.len]);
    crate::syscall::exit(101)
}
