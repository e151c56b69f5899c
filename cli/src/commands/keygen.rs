//! `keygen`: a new RSA signing key pair, written to a directory or printed, labelled.

use crate::Failure;
use notiflows_auth::generate_signing_key;
use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// Modulus size: 2048, 3072 or 4096.
    #[arg(long, default_value_t = notiflows_auth::keys::DEFAULT_GENERATED_KEY_BITS)]
    bits: usize,
    /// Write private_key.pem, private_key.b64 and public_key.pem here (created if needed).
    #[arg(long)]
    out_dir: Option<PathBuf>,
    /// Overwrite existing key files in --out-dir.
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

fn write_key_file(path: &Path, contents: &str, mode: u32, force: bool) -> Result<(), Failure> {
    let mut options = OpenOptions::new();
    options.write(true).mode(mode);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let fail = |e: std::io::Error| Failure::Other(format!("cannot write {}: {e}", path.display()));
    let mut file = options.open(path).map_err(fail)?;
    // `mode` applies only to new files; an overwritten private key must not stay readable.
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).map_err(fail)?;
    file.write_all(contents.as_bytes()).map_err(fail)
}
