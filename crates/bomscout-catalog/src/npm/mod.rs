//! npm: package-lock.json, package.json, installed node_modules.

pub mod installed;
pub mod package_json;
pub mod package_lock;
