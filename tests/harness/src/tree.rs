//! A temporary host tree for `--root`: the files a plugin reads, under a fresh directory that
//! is removed when the tree is dropped (also when an assertion fails).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// A fresh directory standing for `/` of a host.
#[derive(Debug)]
pub struct HostTree {
    root: PathBuf,
}

impl Default for HostTree {
    fn default() -> Self {
        HostTree::new()
    }
}

impl HostTree {
    pub fn new() -> HostTree {
        let root = crate::unique_temp_dir("host");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("create a temporary host tree");
        HostTree { root }
    }

    /// Builder form: add a file (`/proc/mdstat` or `proc/mdstat`, parents created).
    pub fn file(self, path: &str, text: &str) -> HostTree {
        self.put(path, text);
        self
    }

    /// Add or replace a file in a tree already made.
    pub fn put(&self, path: &str, text: &str) -> &HostTree {
        let p = self.path(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create parent directories");
        }
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
        self
    }

    /// Add an executable script (mode 755), e.g. a stand-in for a tool; returns its path.
    pub fn executable(&self, path: &str, script: &str) -> PathBuf {
        self.put(path, script);
        let p = self.path(path);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755))
            .expect("make the script executable");
        p
    }

    /// Builder form: add an empty directory.
    pub fn dir(self, path: &str) -> HostTree {
        std::fs::create_dir_all(self.path(path)).expect("create a directory");
        self
    }

    /// Builder form: add a FIFO nobody writes to (a read of it blocks).
    pub fn fifo(self, path: &str) -> HostTree {
        let p = self.path(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create parent directories");
        }
        nix::unistd::mkfifo(&p, nix::sys::stat::Mode::from_bits_truncate(0o600))
            .unwrap_or_else(|e| panic!("mkfifo {}: {e}", p.display()));
        self
    }

    /// Where a host path lives in the tree.
    pub fn path(&self, path: &str) -> PathBuf {
        self.root.join(path.trim_start_matches('/'))
    }

    /// The directory to give as `--root`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `root()` as text, for argument lists.
    pub fn root_arg(&self) -> String {
        self.root.display().to_string()
    }
}

impl Drop for HostTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_land_under_the_root_and_vanish_on_drop() {
        let tree = HostTree::new().file("/proc/mdstat", "x\n");
        tree.put("sys/class/net/bond0/bonding/slaves", "eth0\n");
        let root = tree.root().to_path_buf();
        assert_eq!(
            std::fs::read_to_string(root.join("proc/mdstat")).unwrap(),
            "x\n"
        );
        assert!(root.join("sys/class/net/bond0/bonding/slaves").is_file());
        drop(tree);
        assert!(!root.exists());
    }

    #[test]
    fn two_trees_never_share_a_directory() {
        let a = HostTree::new();
        let b = HostTree::new();
        assert_ne!(a.root(), b.root());
    }
}
