//! The one mapping from core errors to Python exceptions, and the core's error table as
//! Python reads it.
//!
//! The exception classes are declared in Python (`notiflows_auth/_errors.py`), one per
//! family; their codes come from [`error_table`] when the package loads. This file hands a
//! core [`Error`] over to `_errors._from_native`, which picks the class by code.

use notiflows_auth::{Error, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};

/// `_error_table()`: every row of the core's table, in numeric order, as
/// `(code, number, status, family, message)` tuples.
#[pyfunction(name = "_error_table")]
pub fn error_table() -> Vec<(&'static str, u32, u16, &'static str, &'static str)> {
    ErrorKind::ALL
        .iter()
        .map(|kind| (kind.code(), kind.number(), kind.http_status(), kind.family().name(), kind.message()))
        .collect()
}

/// Adds `_error_table`, `ERROR_CODES` (the codes in numeric order) and `ERROR_STATUS` (code
/// to HTTP status) to the module, all from the core's table.
pub fn add_table(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(error_table, m)?)?;
    let codes: Vec<&str> = ErrorKind::ALL.iter().map(|kind| kind.code()).collect();
    m.add("ERROR_CODES", PyTuple::new(py, codes)?)?;
    let statuses = PyDict::new(py);
    for kind in ErrorKind::ALL {
        statuses.set_item(kind.code(), kind.http_status())?;
    }
    m.add("ERROR_STATUS", statuses)
}

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
