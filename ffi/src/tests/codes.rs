//! The code lists written outside the library's table agree with it: the committed C header
//! (its enum) and the TypeScript `ErrorCode` type of the Node package (type names only; the
//! package reads its codes from the library at load time). What every binding reads from
//! the library at run time is compared by the parity harness (`parity/`).

use crate::result::notiflows_auth_result;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Codes = BTreeMap<String, u32>;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace root").to_path_buf()
}

/// Every code of the C ABI with its number, from the library's table.
fn table_codes() -> Codes {
    notiflows_auth_result::ERRORS
        .iter()
        .map(|r| (r.code().expect("every error has a code").to_owned(), *r as u32))
        .collect()
}

/// `NOTIFLOWS_AUTH_RESULT_TOKEN_EXPIRED = 11,` lines of the committed header.
fn header_codes() -> Codes {
    let header = std::fs::read_to_string(repo().join("ffi/include/notiflows_auth.h")).expect("the header");
    header
        .lines()
        .filter_map(|line| line.trim().strip_prefix("NOTIFLOWS_AUTH_RESULT_"))
        .filter_map(|rest| rest.trim_end_matches(',').split_once(" = "))
        .filter(|(name, _)| *name != "OK")
        .map(|(name, number)| (name.to_ascii_lowercase(), number.parse().expect("a number")))
        .collect()
}

/// The sorted string literals of `export type NAME = ...;` in `node/index.d.ts`.
fn typescript_union(name: &str) -> Vec<String> {
    let dts = std::fs::read_to_string(repo().join("node/index.d.ts")).expect("node/index.d.ts");
    let start = dts.find(&format!("export type {name} =")).unwrap_or_else(|| panic!("a {name} type"));
    let end = start + dts[start..].find(';').expect("the end of the type");
    let mut names: Vec<String> = dts[start..end].split('\'').skip(1).step_by(2).map(str::to_owned).collect();
    names.sort();
    names
}

#[test]
fn the_c_header_has_the_tables_codes() {
    let table = table_codes();
    assert_eq!(table.len(), notiflows_auth::ErrorKind::ALL.len() + 4);
    assert_eq!(header_codes(), table);
}

#[test]
fn the_typescript_types_name_the_tables_codes_and_families() {
    assert_eq!(typescript_union("ErrorCode"), table_codes().into_keys().collect::<Vec<_>>());
    let families: std::collections::BTreeSet<String> = notiflows_auth_result::ERRORS
        .iter()
        .map(|r| crate::result::row(*r).expect("a row").family.to_owned())
        .collect();
    assert_eq!(typescript_union("ErrorFamily"), families.into_iter().collect::<Vec<_>>());
}
