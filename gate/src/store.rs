//! The projects file: the gate's embedded store. Read strictly; written atomically
//! (temporary file, fsync, rename, fsync of the directory), so a crash leaves either the old
//! file or the new one, never half of one.

use crate::strict::{check_members, parse_document, typed};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// Largest projects file read, checked before reading it.
pub const MAX_STORE_BYTES: u64 = 16 * 1024 * 1024;

/// The whole projects file. `version` leaves room for key sets (rotation with overlap,
/// revocation) without guessing at old files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreFile {
    #[serde(default = "version_1")]
    pub version: u32,
    #[serde(default)]
    pub projects: Vec<StoredProject>,
}

/// One project as stored: only public material (the API key is public, and only the public
/// signing key is kept).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredProject {
    pub api_key: String,
    #[serde(default = "secure")]
    pub security_mode: String,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// SubjectPublicKeyInfo or PKCS#1 PEM, or `null` until a key is generated or brought.
    #[serde(default)]
    pub signing_public_key: Option<String>,
}

const FILE_MEMBERS: &[&str] = &["version", "projects"];
pub const PROJECT_MEMBERS: &[&str] = &["api_key", "security_mode", "allowed_origins", "signing_public_key"];

impl Default for StoreFile {
    fn default() -> Self {
        StoreFile { version: 1, projects: Vec::new() }
    }
}

fn version_1() -> u32 {
    1
}

fn secure() -> String {
    "secure".into()
}

impl StoreFile {
    /// Reads a projects file (JSON): unknown members are refused by name, duplicate API keys
    /// too; the core checks each project's values when it is loaded.
    pub fn parse(bytes: &[u8]) -> Result<StoreFile, String> {
        let value = parse_document(bytes, false)?;
        check_members(&value, "", FILE_MEMBERS)?;
        if let Some(projects) = value.get("projects").and_then(|p| p.as_array()) {
            for (i, project) in projects.iter().enumerate() {
                check_members(project, &format!("projects[{i}]"), PROJECT_MEMBERS)?;
            }
        }
        let file: StoreFile = typed(value, "")?;
        if file.version != 1 {
            return Err(format!("version {} is not supported (this gate reads version 1)", file.version));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = file.projects.iter().find(|p| !seen.insert(p.api_key.as_str())) {
            return Err(format!("the API key `{}` appears twice", dup.api_key));
        }
        Ok(file)
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a store file always serializes");
        bytes.push(b'\n');
        bytes
    }

    /// One project's document as the PostgreSQL store keeps it, read as strictly as the file.
    pub fn parse_project(bytes: &[u8]) -> Result<StoredProject, String> {
        let value = parse_document(bytes, false)?;
        check_members(&value, "project", PROJECT_MEMBERS)?;
        typed(value, "project")
    }

    pub fn project(&self, api_key: &str) -> Option<&StoredProject> {
        self.projects.iter().find(|p| p.api_key == api_key)
    }
}

/// Reads `path` after checking its size: `Ok(None)` when it does not exist.
pub fn read(path: &Path) -> Result<Option<Vec<u8>>, String> {
    let shown = path.display();
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {shown}: {e}")),
        Ok(meta) if meta.len() > MAX_STORE_BYTES => {
            return Err(format!("{shown} is larger than {MAX_STORE_BYTES} bytes"));
        }
        Ok(_) => {}
    }
    std::fs::read(path).map(Some).map_err(|e| format!("cannot read {shown}: {e}"))
}

/// Replaces `path` with `bytes` atomically: a temporary file beside it, fsync, rename, and
/// an fsync of the directory so the rename itself survives a crash.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_members() {
        let err = StoreFile::parse(br#"{"projects":[{"api_key":"pk","allowed_origin":[]}]}"#).unwrap_err();
        assert!(err.contains("`projects[0].allowed_origin` (did you mean `allowed_origins`?)"), "{err}");
        let err = StoreFile::parse(br#"{"project":[]}"#).unwrap_err();
        assert!(err.contains("did you mean `projects`"), "{err}");
        let dup = br#"{"projects":[{"api_key":"pk"},{"api_key":"pk"}]}"#;
        assert!(StoreFile::parse(dup).unwrap_err().contains("twice"));
        let file = StoreFile::parse(br#"{"projects":[{"api_key":"pk"}]}"#).unwrap();
        assert_eq!(file.projects[0].security_mode, "secure");
        assert_eq!(StoreFile::parse(&file.to_json()).unwrap(), file);
    }

    #[test]
    fn atomic_write_replaces_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("projects.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }
}
