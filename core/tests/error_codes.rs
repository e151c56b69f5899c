//! The error taxonomy as documented: README's table lists exactly the library's codes, in
//! numeric order, with their HTTP statuses. The bindings' own tests compare their code sets
//! with the core's, so this pins every language to the documentation.

mod common;

use notiflows_auth::ErrorKind;

#[test]
fn readme_documents_every_code_with_its_status() {
    let ours: Vec<(String, u16)> = ErrorKind::ALL.iter().map(|k| (k.code().to_string(), k.http_status())).collect();
    assert_eq!(common::documented_codes(), ours);
}
