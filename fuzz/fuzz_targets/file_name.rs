//! File and folder names: `parse_file_name` and `parse_folder_name` on arbitrary names.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_core::{Layout, NameError, ParsedName, parse_file_name, parse_folder_name};

/// What any parsed name must satisfy.
fn check(name: &str, parsed: &ParsedName) {
    let version = &parsed.version;
    assert!(!parsed.name.is_empty(), "{name:?}: empty name in {parsed:?}");
    assert!(
        !version.digits.is_empty() && version.digits.bytes().all(|b| b.is_ascii_digit()),
        "{name:?}: digits {:?}",
        version.digits
    );
    assert_eq!(version.digits.parse::<i64>().ok(), Some(version.number), "{name:?}: number and digits disagree");
    assert!(version.number >= 0, "{name:?}: negative version");
    assert_eq!(version.written.replace('-', ""), version.digits, "{name:?}: written and digits disagree");
    assert!(name.contains(&version.written), "{name:?}: version {:?} is not in the name", version.written);
    assert!(name.contains(&parsed.name), "{name:?}: name {:?} is not in the name", parsed.name);
}

fn describe(name: &str, error: &NameError) {
    let (message, help) = error.describe(name);
    assert!(!message.is_empty() && !help.is_empty());
    if let NameError::VersionTooLarge(written) | NameError::NonNumericVersion(written) = error {
        assert!(name.contains(written.as_str()), "{name:?}: reported version {written:?} is not in the name");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(name) = std::str::from_utf8(data) else { return };
    match parse_file_name(name) {
        Ok(parsed) => {
            check(name, &parsed);
            assert!(name.ends_with(".sql"), "{name:?}: parsed as a file without `.sql`");
            assert!(matches!(parsed.layout, Layout::Flat | Layout::Prefixed), "{name:?}: {:?}", parsed.layout);
        }
        Err(error) => describe(name, &error),
    }
    match parse_folder_name(name) {
        Ok(parsed) => {
            check(name, &parsed);
            assert!(
                matches!(parsed.layout, Layout::Folder | Layout::NumberedFolder),
                "{name:?}: {:?}",
                parsed.layout
            );
        }
        Err(error) => describe(&format!("{name}/"), &error),
    }
});
