//! Every token of the shared jwt-cases corpus, through the public verifier, with the
//! contract its README describes (exp required, no iat skew, 32 KiB size cap) and with
//! our defaults where a case is policy-dependent.

mod common;

use common::{jwt_cases, shared_public_key, with_each_provider, Case};
use notiflows_auth::verify::MAX_TOKEN_BYTES_LIMIT;
use notiflows_auth::{ErrorKind, Policy, Verifier};

/// The corpus' error categories, as our codes (written once, for every language's tests).
fn category_kind(category: &str) -> ErrorKind {
    let map: serde_json::Value = serde_json::from_str(include_str!("../../testdata/jwt_case_categories.json")).unwrap();
    let code = map[category].as_str().unwrap_or_else(|| panic!("unknown category {category}"));
    ErrorKind::from_code(code).unwrap()
}

/// The corpus contract: exp required, iat strictly not after now, and the largest size
/// cap we offer (16 KiB; the reference uses 32 KiB, which only matters for the depth case).
fn contract_policy() -> Policy {
    Policy { require_exp: true, iat_skew_seconds: 0, max_token_bytes: MAX_TOKEN_BYTES_LIMIT, ..Policy::default() }
}

fn check(verifier: &Verifier, case: &Case, expect_valid: bool) {
    let result = verifier.verify(case.token.as_bytes(), case.now);
    match (&result, expect_valid) {
        (Ok(claims), true) => assert_eq!(claims.sub.as_str(), case.expected_sub.as_deref().unwrap(), "{}", case.name),
        (Err(e), false) => {
            let allowed: Vec<ErrorKind> = case.categories().map(category_kind).collect();
            assert!(allowed.contains(&e.kind()), "{}: got {} ({e}), expected one of {allowed:?}", case.name, e.code());
        }
        _ => panic!("{}: expected {}, got {result:?}", case.name, if expect_valid { "valid" } else { "invalid" }),
    }
}

#[test]
fn every_case_under_the_corpus_contract() {
    let cases = jwt_cases();
    assert_eq!(cases.len(), 121);
    for policy in with_each_provider(contract_policy()) {
        let verifier = Verifier::with_policy(shared_public_key(), policy).unwrap();
        assert_eq!(verifier.provider(), policy.provider);
        for case in &cases {
            check(&verifier, case, case.expect == "valid");
        }
    }
}

#[test]
fn default_policy_differs_only_where_the_corpus_says_policy_decides() {
    // Defaults: exp optional, 60 s iat skew, 8 KiB cap. Only `exp_missing` changes outcome
    // (valid: the product documents exp as recommended); the 128 KiB and deep-nesting
    // cases are refused by the size cap before any decoding.
    for policy in with_each_provider(Policy::default()) {
        default_policy_case_by_case(&Verifier::with_policy(shared_public_key(), policy).unwrap());
    }
}

fn default_policy_case_by_case(verifier: &Verifier) {
    for case in jwt_cases() {
        match case.name.as_str() {
            "exp_missing" => {
                let claims = verifier.verify(case.token.as_bytes(), case.now).unwrap();
                assert_eq!((claims.sub.as_str(), claims.exp), ("alice", None));
            }
            "token_about_128KiB" | "payload_nesting_depth_10000" => {
                let err = verifier.verify(case.token.as_bytes(), case.now).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::TokenTooLarge, "{}", case.name);
            }
            _ => check(verifier, &case, case.expect == "valid"),
        }
    }
}

#[test]
fn leeway_and_skew_move_the_time_boundaries() {
    let cases = jwt_cases();
    let find = |name: &str| cases.iter().find(|c| c.name == name).unwrap();
    let lenient = Verifier::with_policy(
        shared_public_key(),
        Policy { leeway_seconds: 1, iat_skew_seconds: 3600, ..Policy::default() },
    )
    .unwrap();
    // exp == now is expired at leeway 0 but accepted with 1 s of leeway; nbf = now + 1 too.
    for name in ["exp_equals_now", "nbf_now_plus_1", "iat_now_plus_1h"] {
        let case = find(name);
        assert!(lenient.verify(case.token.as_bytes(), case.now).is_ok(), "{name}");
    }
    let case = find("exp_now_minus_1");
    assert_eq!(lenient.verify(case.token.as_bytes(), case.now).unwrap_err().kind(), ErrorKind::TokenExpired);
}

#[test]
fn both_providers_give_identical_results_on_every_case() {
    // Same claims or the same error (kind, claim and detail), under both policies.
    for policy in [contract_policy(), Policy::default()] {
        let verifiers: Vec<Verifier> =
            with_each_provider(policy).map(|p| Verifier::with_policy(shared_public_key(), p).unwrap()).collect();
        for case in jwt_cases() {
            let results: Vec<_> = verifiers.iter().map(|v| v.verify(case.token.as_bytes(), case.now)).collect();
            assert_eq!(results[0], results[1], "{}", case.name);
        }
    }
}
