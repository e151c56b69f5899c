//! Crossing the boundary: input slices, output slots, caller buffers and opaque handles.
//!
//! Every raw pointer from C is turned into a reference or a slot here, NULL checked first,
//! so that the exported functions hold no pointer arithmetic of their own.

use crate::result::Failure;
use core::marker::PhantomData;
use core::ptr::NonNull;

/// Borrows `len` bytes at `ptr`. NULL with `len` 0 is the empty input (what many languages
/// pass for an empty string); NULL with any other length is `null_argument`.
///
/// # Safety
/// A non-NULL `ptr` must point to `len` readable bytes that stay unchanged for `'a`.
pub(crate) unsafe fn input<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(Failure::NULL) };
    }
    // SAFETY: non-NULL, and the caller guarantees `len` readable bytes for `'a`.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// Borrows `len` bytes at `ptr` as UTF-8 text: NULL is `null_argument`, bad UTF-8 is
/// `invalid_utf8`.
///
/// # Safety
/// As for [`input`].
pub(crate) unsafe fn input_str<'a>(ptr: *const u8, len: usize) -> Result<&'a str, Failure> {
    // SAFETY: forwarded from the caller.
    let bytes = unsafe { input(ptr, len) }?;
    core::str::from_utf8(bytes).map_err(|_| Failure::UTF8)
}

/// An optional text input: NULL means absent.
///
/// # Safety
/// As for [`input`].
pub(crate) unsafe fn optional_str<'a>(ptr: *const u8, len: usize) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: forwarded from the caller.
    unsafe { input_str(ptr, len) }.map(Some)
}

/// One HTTP header as name and value bytes: a request header going in, or a CORS header
/// coming out. A pointer may be NULL only when its length is 0.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct notiflows_auth_header {
    pub name: *const u8,
    pub name_len: usize,
    pub value: *const u8,
    pub value_len: usize,
}

impl notiflows_auth_header {
    /// A header pointing at `name` and `value` (for outputs that borrow static or input bytes).
    pub(crate) fn borrowing(name: &[u8], value: &[u8]) -> Self {
        notiflows_auth_header {
            name: name.as_ptr(),
            name_len: name.len(),
            value: value.as_ptr(),
            value_len: value.len(),
        }
    }
}

/// A request's headers from C, every pointer checked once: iterating them yields
/// `(name, value)` byte slices without allocating.
#[derive(Clone, Copy)]
pub(crate) struct RequestHeaders<'a> {
    headers: &'a [notiflows_auth_header],
}

impl<'a> RequestHeaders<'a> {
    /// Checks `count` headers at `headers` (NULL allowed with count 0): a NULL pointer with
    /// a non-zero length anywhere is `null_argument`.
    ///
    /// # Safety
    /// A non-NULL `headers` must point to `count` elements whose non-NULL pointers each
    /// point to their length in readable bytes, unchanged for `'a`.
    pub(crate) unsafe fn new(headers: *const notiflows_auth_header, count: usize) -> Result<Self, Failure> {
        let headers: &[notiflows_auth_header] = if count == 0 {
            &[]
        } else if headers.is_null() {
            return Err(Failure::NULL);
        } else {
            // SAFETY: non-NULL, and the caller guarantees `count` elements for `'a`.
            unsafe { core::slice::from_raw_parts(headers, count) }
        };
        let bad = |ptr: *const u8, len: usize| ptr.is_null() && len != 0;
        if headers.iter().any(|h| bad(h.name, h.name_len) || bad(h.value, h.value_len)) {
            return Err(Failure::NULL);
        }
        Ok(RequestHeaders { headers })
    }

    /// The headers as `(name, value)` pairs.
    pub(crate) fn pairs(self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> {
        self.headers.iter().map(|h| {
            // SAFETY: `new` checked that no pointer is NULL with a non-zero length, and its
            // caller guarantees the bytes for `'a`.
            unsafe { (checked_bytes(h.name, h.name_len), checked_bytes(h.value, h.value_len)) }
        })
    }
}

/// # Safety
/// `ptr` is NULL with `len` 0, or points to `len` readable bytes unchanged for `'a`.
unsafe fn checked_bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if ptr.is_null() {
        &[]
    } else {
        // SAFETY: forwarded from the caller.
        unsafe { core::slice::from_raw_parts(ptr, len) }
    }
}

/// A caller-owned array of header slots with its count slot: the `buffer_too_small`
/// protocol, for arrays.
pub(crate) struct OutHeaders<'a> {
    slots: *mut notiflows_auth_header,
    cap: usize,
    out_count: Out<'a, usize>,
}

impl OutHeaders<'_> {
    /// # Safety
    /// A non-NULL `slots` must point to `cap` writable elements; a non-NULL `out_count` must
    /// be valid for writing a `size_t`.
    pub(crate) unsafe fn new(
        slots: *mut notiflows_auth_header,
        cap: usize,
        out_count: *mut usize,
    ) -> Result<Self, Failure> {
        // SAFETY: forwarded from the caller.
        let out_count = unsafe { Out::new(out_count) }?;
        if slots.is_null() && cap != 0 {
            return Err(Failure::NULL);
        }
        Ok(OutHeaders { slots, cap, out_count })
    }

    /// Writes the headers and their count; when they do not fit, writes only the count
    /// needed and fails with `buffer_too_small`.
    pub(crate) fn write(self, headers: &[notiflows_auth_header]) -> Result<(), Failure> {
        self.out_count.write(headers.len());
        if headers.len() > self.cap {
            return Err(Failure::TOO_SMALL);
        }
        if !headers.is_empty() {
            // SAFETY: `slots` is non-NULL here (`cap >= len > 0`) and points to `cap`
            // writable elements (`new`'s contract), not overlapping our local array.
            unsafe { core::ptr::copy_nonoverlapping(headers.as_ptr(), self.slots, headers.len()) }
        }
        Ok(())
    }
}

/// A place to write one output value, checked non-NULL; written only on success.
pub(crate) struct Out<'a, T> {
    ptr: NonNull<T>,
    _borrow: PhantomData<&'a mut T>,
}

impl<'a, T> Out<'a, T> {
    /// # Safety
    /// A non-NULL `ptr` must be valid for writing a `T` (it need not be initialised).
    pub(crate) unsafe fn new(ptr: *mut T) -> Result<Self, Failure> {
        NonNull::new(ptr).map(|ptr| Out { ptr, _borrow: PhantomData }).ok_or(Failure::NULL)
    }

    pub(crate) fn write(self, value: T) {
        // SAFETY: `new`'s contract: valid for a write of `T`; `write` drops no old value.
        unsafe { self.ptr.as_ptr().write(value) }
    }
}

/// A caller-owned output buffer with its length slot: the `buffer_too_small` protocol.
pub(crate) struct OutBytes<'a> {
    buf: *mut u8,
    cap: usize,
    out_len: Out<'a, usize>,
}

impl OutBytes<'_> {
    /// Checks the pointers: `out_len` must not be NULL; `buf` may be NULL only with `cap` 0.
    ///
    /// # Safety
    /// A non-NULL `buf` must point to `cap` writable bytes, not overlapping any input of the
    /// call; a non-NULL `out_len` must be valid for writing a `size_t`.
    pub(crate) unsafe fn new(buf: *mut u8, cap: usize, out_len: *mut usize) -> Result<Self, Failure> {
        // SAFETY: forwarded from the caller.
        let out_len = unsafe { Out::new(out_len) }?;
        if buf.is_null() && cap != 0 {
            return Err(Failure::NULL);
        }
        Ok(OutBytes { buf, cap, out_len })
    }

    /// Copies `data` and writes its length; when it does not fit, writes only the length
    /// needed and fails with `buffer_too_small`.
    pub(crate) fn write(self, data: &[u8]) -> Result<(), Failure> {
        self.out_len.write(data.len());
        if data.len() > self.cap {
            return Err(Failure::TOO_SMALL);
        }
        if !data.is_empty() {
            // SAFETY: `buf` is non-NULL here (`cap >= data.len() > 0`) and points to `cap`
            // writable bytes that do not overlap `data` (`new`'s contract).
            unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), self.buf, data.len()) }
        }
        Ok(())
    }
}

/// An opaque C handle type and the one Rust type it stands for. Handles are created by
/// `Box::into_raw` and released by the matching `_free`.
pub(crate) trait Handle: Sized {
    type Inner;

    /// Moves `inner` to the heap and hands out the handle.
    fn into_raw(inner: Self::Inner) -> *mut Self {
        Box::into_raw(Box::new(inner)).cast()
    }

    /// Borrows the value behind a handle; NULL is `null_argument`.
    ///
    /// # Safety
    /// A non-NULL `handle` must come from [`Handle::into_raw`] for this type and not be freed
    /// during `'a`; nothing may mutate it meanwhile.
    unsafe fn borrow<'a>(handle: *const Self) -> Result<&'a Self::Inner, Failure> {
        // SAFETY: the caller guarantees a live handle of this type: a `Box<Self::Inner>`.
        unsafe { handle.cast::<Self::Inner>().as_ref() }.ok_or(Failure::NULL)
    }

    /// Borrows the value behind a handle mutably; NULL is `null_argument`.
    ///
    /// # Safety
    /// As for [`Handle::borrow`], and no other reference to it may exist during `'a`.
    unsafe fn borrow_mut<'a>(handle: *mut Self) -> Result<&'a mut Self::Inner, Failure> {
        // SAFETY: the caller guarantees a live, unshared handle of this type.
        unsafe { handle.cast::<Self::Inner>().as_mut() }.ok_or(Failure::NULL)
    }

    /// Drops the value behind a handle; NULL does nothing.
    ///
    /// # Safety
    /// A non-NULL `handle` must come from [`Handle::into_raw`] for this type, not be used
    /// again, and not be in use by another thread.
    unsafe fn free(handle: *mut Self) {
        if !handle.is_null() {
            // SAFETY: the caller hands back ownership of the `Box` made by `into_raw`.
            drop(unsafe { Box::from_raw(handle.cast::<Self::Inner>()) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_report_the_size_needed() {
        let mut buf = [0u8; 4];
        let mut len = 0;
        // SAFETY: a 4-byte buffer and a valid length slot.
        let out = unsafe { OutBytes::new(buf.as_mut_ptr(), 4, &mut len) }.unwrap();
        assert_eq!(out.write(b"hello"), Err(Failure::TOO_SMALL));
        assert_eq!((len, buf), (5, [0; 4]));
        // SAFETY: as above.
        let out = unsafe { OutBytes::new(buf.as_mut_ptr(), 4, &mut len) }.unwrap();
        assert_eq!(out.write(b"hey"), Ok(()));
        assert_eq!((len, &buf[..3]), (3, &b"hey"[..]));
        // SAFETY: NULL with capacity 0 is the size query.
        let out = unsafe { OutBytes::new(core::ptr::null_mut(), 0, &mut len) }.unwrap();
        assert_eq!(out.write(b""), Ok(()));
        assert_eq!(len, 0);
    }

    #[test]
    fn nulls_are_refused() {
        let mut len = 0;
        // SAFETY: NULL pointers are checked before use.
        unsafe {
            assert!(matches!(input(core::ptr::null(), 1), Err(Failure::NULL)));
            assert!(matches!(input(core::ptr::null(), 0), Ok(&[])));
            assert!(matches!(OutBytes::new(core::ptr::null_mut(), 1, &mut len), Err(Failure::NULL)));
            assert!(matches!(OutBytes::new([0u8; 1].as_mut_ptr(), 1, core::ptr::null_mut()), Err(Failure::NULL)));
            assert!(matches!(optional_str(core::ptr::null(), 3), Ok(None)));
            assert!(matches!(input_str(b"\xff".as_ptr(), 1), Err(Failure::UTF8)));
        }
    }
}
