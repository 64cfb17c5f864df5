//! The static musl build's allocator: dlmalloc behind a spin lock.
//!
//! musl's mallocng maps and unmaps small groups of slots as they fill and empty (116 `mmap` and
//! 102 `munmap` calls for one 2,000-service check_euca_clc run) and spends about 40
//! instructions a malloc/free pair; dlmalloc (the allocator of Rust's own wasm target, pure
//! Rust, no C build) keeps one heap. Its `global` feature locks a pthread mutex around every
//! call, and musl's `pthread_mutex_unlock` alone was 11 % of check_san_path's instructions on
//! 512 maps: a plugin allocates from one thread nearly always (the guard thread only when a
//! tool runs), so an uncontended atomic flag does, and a waiter yields rather than spins long.
//! Nothing allocates in a signal handler (the kit's handlers write a prepared line), so the
//! lock cannot be taken twice by one thread. Measured in bench/RESULTS.md.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};
use dlmalloc::Dlmalloc;

pub struct Allocator {
    locked: AtomicBool,
    heap: UnsafeCell<Dlmalloc>,
}

// The heap is only reached with `locked` held.
unsafe impl Sync for Allocator {}

impl Allocator {
    pub const fn new() -> Allocator {
        Allocator {
            locked: AtomicBool::new(false),
            heap: UnsafeCell::new(Dlmalloc::new()),
        }
    }

    /// The heap, the lock held until the guard is dropped.
    fn lock(&self) -> Guard<'_> {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            std::thread::yield_now();
        }
        Guard(self)
    }
}

impl Default for Allocator {
    fn default() -> Allocator {
        Allocator::new()
    }
}

struct Guard<'a>(&'a Allocator);

impl Guard<'_> {
    #[allow(clippy::mut_from_ref)]
    fn heap(&self) -> &mut Dlmalloc {
        // The lock is held: no other reference to the heap exists.
        unsafe { &mut *self.0.heap.get() }
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        self.0.locked.store(false, Ordering::Release);
    }
}

// Never inlined: with fat LTO each of the thousands of allocation sites took a copy of
// dlmalloc's paths, 30 % more code in every binary (check_raid 1.46 -> 1.93 MB) and the
// pages to load with it; musl's malloc, in libc.a, is called.
unsafe impl GlobalAlloc for Allocator {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.lock().heap().malloc(layout.size(), layout.align())
    }
    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.lock().heap().calloc(layout.size(), layout.align())
    }
    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.lock().heap().free(ptr, layout.size(), layout.align())
    }
    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.lock()
            .heap()
            .realloc(ptr, layout.size(), layout.align(), new_size)
    }
}

#[cfg(test)]
mod tests {
    use super::Allocator;
    use core::alloc::{GlobalAlloc, Layout};

    #[test]
    fn allocates_aligned_zeroed_and_grows_from_several_threads() {
        static HEAP: Allocator = Allocator::new();
        let work = || {
            for round in 0..2000usize {
                let align = 1 << (round % 7);
                let layout = Layout::from_size_align(1 + round % 300, align).unwrap();
                unsafe {
                    let p = HEAP.alloc_zeroed(layout);
                    assert!(!p.is_null() && p as usize % align == 0);
                    assert!((0..layout.size()).all(|i| *p.add(i) == 0));
                    p.write_bytes(0xa5, layout.size());
                    let q = HEAP.realloc(p, layout, layout.size() * 3);
                    assert!((0..layout.size()).all(|i| *q.add(i) == 0xa5));
                    let grown = Layout::from_size_align(layout.size() * 3, align).unwrap();
                    HEAP.dealloc(q, grown);
                }
            }
        };
        let threads: Vec<_> = (0..4).map(|_| std::thread::spawn(work)).collect();
        for t in threads {
            t.join().unwrap();
        }
    }
}
