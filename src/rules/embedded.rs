//! The shipped pack, compiled into the binary so that Candor runs with no files beside it.
//! A test checks that this list and the folder hold exactly the same files.

/// Each file of `playbooks/jurisdictions/` as `(name, content)`.
macro_rules! pack_files {
    ($($name:literal),+ $(,)?) => {
        &[$((
            $name,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/playbooks/jurisdictions/", $name)),
        )),+]
    };
}

/// The embedded files, in name order.
pub(super) const FILES: &[(&str, &str)] = pack_files!(
    "au.toml",
    "br.toml",
    "ca-pipeda.toml",
    "eu.toml",
    "gb.toml",
    "jp.toml",
    "pack.toml",
    "sg.toml",
    "us-az.toml",
    "us-ca.toml",
    "us-co.toml",
    "us-ct.toml",
    "us-de.toml",
    "us-fl.toml",
    "us-ftc-glba.toml",
    "us-ftc-hbnr.toml",
    "us-hipaa.toml",
    "us-il.toml",
    "us-ma.toml",
    "us-md.toml",
    "us-me.toml",
    "us-nj.toml",
    "us-ny-dfs500.toml",
    "us-ny.toml",
    "us-ok.toml",
    "us-or.toml",
    "us-pa.toml",
    "us-sec-8k.toml",
    "us-tx.toml",
    "us-va.toml",
    "us-vt.toml",
    "us-wa.toml",
);
