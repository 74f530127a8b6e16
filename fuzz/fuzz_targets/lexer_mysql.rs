//! The lexer on arbitrary scripts, in the Mysql dialect.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::check(&common::script(data), strata_core::Dialect::Mysql);
});
