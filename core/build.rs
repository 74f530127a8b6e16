//! A value that changes whenever strata-core's source changes, so that the dry-run cache of a
//! build made with another source (a developer's edit of the rules) is never trusted. With no
//! `rerun-if-changed` line, cargo runs this again whenever a file of the package changes.

use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_nanos());
    println!("cargo:rustc-env=STRATA_CORE_BUILD_ID={nanos}");
}
