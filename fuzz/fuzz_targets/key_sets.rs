#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| notiflows_auth_fuzz::key_sets::check(data));
