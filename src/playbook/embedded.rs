//! The shipped playbooks, compiled into the binary so that Candor runs with no files beside
//! it. A test checks that this list and the folder hold exactly the same files.

/// Each playbook file of `playbooks/` as `(name, content)`.
macro_rules! playbook_files {
    ($($name:literal),+ $(,)?) => {
        &[$((
            $name,
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/playbooks/", $name)),
        )),+]
    };
}

/// The embedded files, in name order.
pub(super) const FILES: &[(&str, &str)] = playbook_files!(
    "credential-exposure.toml",
    "customer-data-breach.toml",
    "lost-encrypted-device.toml",
    "ransomware.toml",
);
