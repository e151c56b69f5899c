//! The C `authenticate` path allocates nothing per call, measured as the Rust path is
//! (core/tests/auth_alloc.rs): a counting global allocator, per thread, around calls through
//! the exported functions with C-shaped arguments.

use crate::authenticator::*;
use crate::io::notiflows_auth_header;
use crate::result::notiflows_auth_result;
use crate::verify::NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES;

#[path = "../../../core/tests/counting_alloc/mod.rs"]
mod counting_alloc;

use counting_alloc::allocations;

fn header(name: &'static str, value: &[u8]) -> notiflows_auth_header {
    notiflows_auth_header::borrowing(name.as_bytes(), value)
}

#[test]
fn authenticate_and_cors_allocate_nothing_per_call() {
    let mut auth = core::ptr::null_mut();
    // SAFETY: valid pointers to locals and static strings throughout; the handle is freed last.
    unsafe {
        assert_eq!(notiflows_auth_authenticator_new(core::ptr::null(), 64, &mut auth), notiflows_auth_result::Ok);
        let origins = [notiflows_auth_bytes { ptr: b"https://app.example.com".as_ptr(), len: 23 }];
        let added = notiflows_auth_authenticator_add_project(
            auth,
            b"pk_dev".as_ptr(),
            6,
            1,
            core::ptr::null(),
            origins.as_ptr(),
            1,
        );
        assert_eq!(added, notiflows_auth_result::Ok);
        let headers = [
            header("content-type", b"application/json"),
            header("x-notiflows-api-key", b"pk_dev"),
            header("x-notiflows-user-id", b"user-1"),
            header("Origin", b"https://app.example.com"),
        ];
        let mut user_id = [0u8; NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES];
        let mut user_id_len = 0;
        let mut user = core::mem::zeroed();
        let (id_ptr, id_len_ptr, user_ptr): (*mut u8, *mut usize, *mut notiflows_auth_authenticated) =
            (user_id.as_mut_ptr(), &mut user_id_len, &mut user);
        let call = |headers: &[notiflows_auth_header]| {
            notiflows_auth_authenticator_authenticate(
                auth,
                headers.as_ptr(),
                headers.len(),
                1_700_000_000,
                id_ptr,
                NOTIFLOWS_AUTH_MAX_SUBJECT_BYTES,
                id_len_ptr,
                user_ptr,
            )
        };
        assert_eq!(call(&headers), notiflows_auth_result::Ok);
        assert!(allocations(|| Vec::<u8>::with_capacity(1)) > 0, "the counter counts");
        assert_eq!(allocations(|| assert_eq!(call(&headers), notiflows_auth_result::Ok)), 0);
        assert_eq!(&user_id[..user_id_len], b"user-1");
        // A refusal records the last error and allocates nothing either.
        let evil = [header("x-notiflows-api-key", b"pk_dev"), header("origin", b"https://evil.test")];
        assert_eq!(allocations(|| assert_eq!(call(&evil), notiflows_auth_result::OriginNotAllowed)), 0);

        let mut cors = [header("", b""); NOTIFLOWS_AUTH_MAX_CORS_HEADERS];
        let mut count = 0;
        let cors_allocations = allocations(|| {
            let r = notiflows_auth_authenticator_cors_response(
                auth,
                headers.as_ptr(),
                headers.len(),
                cors.as_mut_ptr(),
                cors.len(),
                &mut count,
            );
            assert_eq!((r, count), (notiflows_auth_result::Ok, 2));
        });
        assert_eq!(cors_allocations, 0);
        // The allow-origin value points into the request's own Origin bytes.
        assert_eq!(cors[1].value, headers[3].value);
        notiflows_auth_authenticator_free(auth);
    }
}
