//! `keygen`: a new RSA signing key pair, written to a directory or printed, labelled.

use crate::Failure;
use notiflows_auth::generate_signing_key;
use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Modulus size: 2048, 3072 or 4096 (the sizes key generation makes; keys of up to 8192
    /// bits made elsewhere are accepted for verifying and signing).
    #[arg(long, default_value_t = notiflows_auth::keys::DEFAULT_GENERATED_KEY_BITS, value_parser = generated_bits)]
    bits: usize,
    /// Write private_key.pem, private_key.b64 and public_key.pem here (created if needed).
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// Replace existing key files in --out-dir (each is written to a new file, then renamed
    /// into place: a symlink there is replaced, never followed).
    #[arg(long)]
    force: bool,
}

const SHOWN_ONCE: &str = "The private key is shown once: store it in your backend's secrets now (NOTIFLOWS_SIGNING_KEY takes either format). Keep the public key with the project. Generating a new key invalidates every token signed with the old one.";

pub fn run(args: Args) -> Result<(), Failure> {
    let pair = generate_signing_key(args.bits)?;
    let private_b64 = format!("{}\n", pair.private_key_base64);
    match args.out_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| Failure::Other(format!("cannot create {}: {e}", dir.display())))?;
            // Refuse before writing anything, so a refusal never leaves a mixed set behind.
            let files = [
                ("private_key.pem", pair.private_key_pem.as_str(), 0o600),
                ("private_key.b64", private_b64.as_str(), 0o600),
                ("public_key.pem", pair.public_key_pem.as_str(), 0o644),
            ];
            if !args.force {
                if let Some((name, ..)) = files.iter().find(|(name, ..)| dir.join(name).exists()) {
                    return Err(Failure::Other(format!(
                        "{} exists: refusing to overwrite a key (use --force)",
                        dir.join(name).display()
                    )));
                }
            }
            for (name, contents, mode) in files {
                write_key_file(&dir.join(name), contents, mode, args.force)?;
                println!("wrote {}", dir.join(name).display());
            }
        }
        None => {
            println!("# Private key, base64-encoded PEM (one line, for environment variables):");
            println!("{}", pair.private_key_base64);
            println!();
            println!("# Private key, PEM:");
            print!("{}", pair.private_key_pem);
            println!();
            println!("# Public key, PEM (keep with the project):");
            print!("{}", pair.public_key_pem);
        }
    }
    eprintln!("warning: {SHOWN_ONCE}");
    Ok(())
}

/// `--bits`: one of the sizes key generation makes, else a usage error naming them.
fn generated_bits(text: &str) -> Result<usize, String> {
    let sizes = notiflows_auth::keys::GENERATED_KEY_BITS;
    let list = || sizes.map(|b| b.to_string()).join(", ");
    match text.parse::<usize>() {
        Ok(bits) if sizes.contains(&bits) => Ok(bits),
        _ => Err(format!("key generation makes {} bit keys", list())),
    }
}

/// Writes a key file with `mode`. Without `force`, creates it (never over an existing file
/// or symlink). With `force`, writes a new temporary file beside it (created exclusively,
/// not following symlinks, with `mode` from the start) and renames it over the old one:
/// the old file, or a symlink in its place, is replaced and never written through.
fn write_key_file(path: &Path, contents: &str, mode: u32, force: bool) -> Result<(), Failure> {
    let fail = |e: std::io::Error| Failure::Other(format!("cannot write {}: {e}", path.display()));
    if !force {
        return create_exclusive(path, contents, mode).map_err(fail);
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = create_exclusive(&temp, contents, mode).and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.map_err(fail)
}

/// A new file (`O_CREAT | O_EXCL | O_NOFOLLOW`, so nothing existing is opened, a symlink
/// least of all) with `mode`.
fn create_exclusive(path: &Path, contents: &str, mode: u32) -> std::io::Result<()> {
    let mut file =
        OpenOptions::new().write(true).create_new(true).mode(mode).custom_flags(libc::O_NOFOLLOW).open(path)?;
    // The umask may have narrowed `mode`; a public key should still be readable.
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode))?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}
