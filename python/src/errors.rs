//! The one mapping from core errors to Python exceptions.
//!
//! The exception classes are declared in Python (`notiflows_auth/_errors.py`), where each
//! family lists the codes it carries; this file only hands a core [`Error`] over to
//! `_errors._from_native`, which picks the class by code.

use notiflows_auth::{Error, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// A core error on its way to Python. Every fallible binding returns
/// `Result<T, AuthError>` or `PyResult<T>`; `?` converts core errors on the way.
#[derive(Debug)]
pub struct AuthError(pub Error);

impl From<Error> for AuthError {
    fn from(error: Error) -> Self {
        AuthError(error)
    }
}

impl From<ErrorKind> for AuthError {
    fn from(kind: ErrorKind) -> Self {
        AuthError(Error::new(kind))
    }
}

impl From<AuthError> for PyErr {
    fn from(AuthError(error): AuthError) -> PyErr {
        Python::attach(|py| to_exception(py, error).unwrap_or_else(|e| e))
    }
}

/// `notiflows_auth._errors._from_native`, looked up once.
static FROM_NATIVE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn to_exception(py: Python<'_>, error: Error) -> PyResult<PyErr> {
    let factory = FROM_NATIVE.import(py, "notiflows_auth._errors", "_from_native")?;
    let message = error.to_string();
    let exception = factory.call1((error.code(), error.http_status(), message, error.claim_name()))?;
    if exception.is_instance_of::<pyo3::exceptions::PyBaseException>() {
        Ok(PyErr::from_value(exception))
    } else {
        Err(PyRuntimeError::new_err("notiflows_auth._errors._from_native did not return an exception"))
    }
}

/// `config_invalid` with a detail, for argument values out of range.
pub fn config_invalid(detail: &'static str) -> AuthError {
    AuthError(Error::new(ErrorKind::ConfigInvalid).with_detail(detail))
}
