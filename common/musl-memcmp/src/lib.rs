//! `memcmp` and `bcmp` for the static musl build, eight bytes at a time.
//!
//! musl's `memcmp` compares one byte per loop step (and its `bcmp` calls it). Rust's `==` and
//! `cmp` on strings and byte slices call them, so a plugin that sorts and looks up thousands of
//! services by name (check_euca_clc on a 2,000-service answer: 292,586 calls, 23 % of its
//! instructions, bench/RESULTS.md) spends much of its time there. Linked ahead of libc.a, these
//! definitions are taken instead of musl's (an archive member is pulled in only for a symbol
//! still undefined). On glibc, whose versions are vectorised, the crate defines nothing.
//!
//! `#![no_builtins]`: LLVM must not recognise the loops below as a memcmp and call it (itself).

#![no_std]
#![no_builtins]

/// The order of the first differing byte, as C's memcmp: negative, 0 or positive.
///
/// # Safety
/// `a` and `b` must each be valid for reads of `n` bytes.
#[cfg_attr(not(any(test, target_env = "musl")), allow(dead_code))]
#[inline(always)]
unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i + 8 <= n {
        // Big-endian words order as their bytes do: the first word that differs decides.
        let x = u64::from_be_bytes(core::ptr::read_unaligned(a.add(i) as *const [u8; 8]));
        let y = u64::from_be_bytes(core::ptr::read_unaligned(b.add(i) as *const [u8; 8]));
        if x != y {
            return if x < y { -1 } else { 1 };
        }
        i += 8;
    }
    while i < n {
        let (x, y) = (*a.add(i), *b.add(i));
        if x != y {
            return i32::from(x) - i32::from(y);
        }
        i += 1;
    }
    0
}

/// C's `memcmp`.
///
/// # Safety
/// As C's: `a` and `b` valid for reads of `n` bytes.
#[cfg(all(target_env = "musl", not(test)))]
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    compare(a, b, n)
}

/// C's `bcmp`: zero when equal (what Rust's `==` on slices asks).
///
/// # Safety
/// As C's: `a` and `b` valid for reads of `n` bytes.
#[cfg(all(target_env = "musl", not(test)))]
#[no_mangle]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    compare(a, b, n)
}

#[cfg(test)]
mod tests {
    use super::compare;

    fn sign(x: i32) -> i32 {
        x.signum()
    }

    #[test]
    fn orders_as_bytes_do_at_every_length_and_offset() {
        // Every length 0..40 and every position of a difference, both ways, unaligned too.
        let base: [u8; 48] = core::array::from_fn(|i| (i * 37 % 251) as u8);
        for start in 0..8 {
            for n in 0..40 {
                let a = &base[start..start + n];
                assert_eq!(unsafe { compare(a.as_ptr(), a.as_ptr(), n) }, 0);
                for at in 0..n {
                    for delta in [1u8, 0x80, 0xff] {
                        let mut b = [0u8; 48];
                        b[..n].copy_from_slice(a);
                        b[at] = b[at].wrapping_add(delta);
                        let want = a.cmp(&b[..n]) as i32;
                        let got = unsafe { compare(a.as_ptr(), b.as_ptr(), n) };
                        assert_eq!(sign(got), want, "n {n} at {at} delta {delta}");
                        let back = unsafe { compare(b.as_ptr(), a.as_ptr(), n) };
                        assert_eq!(sign(back), -want);
                    }
                }
            }
        }
    }
}
