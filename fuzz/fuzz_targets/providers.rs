#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| notiflows_auth_fuzz::providers::check(data));
